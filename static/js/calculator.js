// The built-in calculator of calculation questions (numeric answers, cases):
// inside the exam page, so using it is never "leaving the exam" (opening the
// phone's own calculator is). No eval: the expression is tokenised and worked
// out with a small shunting-yard over + − × ÷ ( ) % and decimals.
(function (root) {
  "use strict";

  var PRECEDENCE = { "+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "%": 4 };

  function tokenise(text) {
    var src = String(text).replace(/×/g, "*").replace(/÷/g, "/").replace(/[−–]/g, "-")
      .replace(/，/g, ",").replace(/（/g, "(").replace(/）/g, ")").replace(/\s+/g, "");
    var tokens = [], i = 0;
    while (i < src.length) {
      var ch = src[i];
      var number = /^(\d[\d,]*(\.\d*)?|\.\d+)/.exec(src.slice(i));
      if (number) {
        tokens.push({ kind: "num", value: parseFloat(number[0].replace(/,/g, "")) });
        i += number[0].length;
      } else if ("+-*/()%".indexOf(ch) >= 0) {
        tokens.push({ kind: "op", value: ch });
        i += 1;
      } else {
        throw new Error("bad character " + ch);
      }
    }
    return tokens;
  }

  // Infix tokens → reverse Polish; a minus where an operand is expected is unary.
  function toRpn(tokens) {
    var out = [], stack = [], expectOperand = true;
    tokens.forEach(function (t) {
      if (t.kind === "num") {
        if (!expectOperand) { throw new Error("two numbers in a row"); }
        out.push(t); expectOperand = false;
      } else if (t.value === "(") {
        if (!expectOperand) { throw new Error("missing operator"); }
        stack.push("(");
      } else if (t.value === ")") {
        if (expectOperand) { throw new Error("empty brackets"); }
        while (stack.length && stack[stack.length - 1] !== "(") { out.push({ kind: "op", value: stack.pop() }); }
        if (!stack.length) { throw new Error("unbalanced )"); }
        stack.pop();
      } else if (t.value === "%") {
        if (expectOperand) { throw new Error("% needs a number"); }
        out.push({ kind: "op", value: "%" });  // postfix: applies to what precedes it
      } else {
        var op = t.value;
        if (expectOperand) {
          if (op === "-") { op = "neg"; } else if (op === "+") { return; } else { throw new Error("operator first"); }
        }
        while (stack.length && stack[stack.length - 1] !== "(" && op !== "neg" &&
               PRECEDENCE[stack[stack.length - 1]] >= PRECEDENCE[op]) {
          out.push({ kind: "op", value: stack.pop() });
        }
        stack.push(op); expectOperand = true;
      }
    });
    if (expectOperand) { throw new Error("ends with an operator"); }
    while (stack.length) {
      var top = stack.pop();
      if (top === "(") { throw new Error("unbalanced ("); }
      out.push({ kind: "op", value: top });
    }
    return out;
  }

  function run(rpn) {
    var st = [];
    rpn.forEach(function (t) {
      if (t.kind === "num") { st.push(t.value); return; }
      if (t.value === "neg" || t.value === "%") {
        var x = st.pop();
        st.push(t.value === "neg" ? -x : x / 100);
        return;
      }
      var b = st.pop(), a = st.pop();
      if (t.value === "+") { st.push(a + b); }
      else if (t.value === "-") { st.push(a - b); }
      else if (t.value === "*") { st.push(a * b); }
      else {
        if (b === 0) { throw new Error("division by zero"); }
        st.push(a / b);
      }
    });
    if (st.length !== 1 || !isFinite(st[0])) { throw new Error("no result"); }
    return st[0];
  }

  function evaluate(text) {
    return run(toRpn(tokenise(text)));
  }

  // 12 significant digits: 0.1 + 0.2 shows 0.3.
  function format(value) {
    return String(parseFloat(value.toPrecision(12)));
  }

  root.RmCalculator = { evaluate: evaluate, format: format };

  function wire(box) {
    var display = box.querySelector(".calc-display");
    var status = box.querySelector(".calc-status");
    var target = box.dataset.target ? document.getElementById(box.dataset.target) : null;
    function compute() {
      try {
        display.value = format(evaluate(display.value));
        status.textContent = "";
        return true;
      } catch (err) {
        status.textContent = box.dataset.errorLabel || "?";
        return false;
      }
    }
    box.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key || !box.contains(key)) { return; }
      event.preventDefault();
      var k = key.dataset.key;
      if (k === "=") { compute(); }
      else if (k === "C") { display.value = ""; status.textContent = ""; }
      else if (k === "back") { display.value = display.value.slice(0, -1); }
      else if (k === "use") {
        if (target && compute()) {
          target.value = display.value;
          target.dispatchEvent(new Event("change", { bubbles: true }));  // the answer autosaves
        }
      } else if (k) { display.value += k; }
    });
    display.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); compute(); }  // never submits the exam form
    });
  }

  if (root.document) {
    var boxes = root.document.querySelectorAll(".calculator");
    Array.prototype.forEach.call(boxes, wire);
  }
})(typeof window !== "undefined" ? window : globalThis);

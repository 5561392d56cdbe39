// The exam page: countdown from the server's deadline, focus-loss reports,
// and showing the server's "time is up" answers (409) that htmx would drop.
(function () {
  "use strict";
  var page = document.getElementById("exam-page");
  if (!page) { return; }

  // htmx 2 does not swap 4xx answers; a 409 carries "time is up", a 422 "answer refused".
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && (event.detail.xhr.status === 409 || event.detail.xhr.status === 422)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // --- an autosave that did not reach the server is never shown as saved: while it
  // travels the question says "saving"; offline, a dropped connection or a server
  // error says "not saved" and sends the answer again (after 2, 4, 8… up to 30 s,
  // and at once when the browser is back online); any other refusal says to reload.
  // The answer sent again is the one on the page then (htmx reads the form anew).
  var failing = {};  // saved-state id -> {elt, delay, timer}
  function autosaveOf(event) {
    var elt = event.detail && event.detail.elt;
    var target = elt && elt.getAttribute ? elt.getAttribute("hx-target") || "" : "";
    return target.indexOf("#saved-") === 0 ? { elt: elt, id: target.slice(1) } : null;
  }
  function showState(id, text, kind) {
    var span = document.getElementById(id);
    if (!span) { return; }
    span.textContent = text;
    span.className = "saved-state " + kind;
  }
  function sendAgain(id) {
    var entry = failing[id];
    if (!entry || submitted) { return; }
    entry.timer = null;
    if (document.body.contains(entry.elt)) { htmx.trigger(entry.elt, "change"); }
  }
  function notSaved(save, canRetry) {
    if (!canRetry) {
      delete failing[save.id];
      showState(save.id, page.dataset.msgRefused, "error");
      return;
    }
    var entry = failing[save.id] || (failing[save.id] = { delay: 1000 });
    entry.elt = save.elt;
    entry.delay = Math.min(entry.delay * 2, 30000);
    showState(save.id, page.dataset.msgOffline, "error");
    if (entry.timer) { window.clearTimeout(entry.timer); }
    entry.timer = window.setTimeout(function () { sendAgain(save.id); }, entry.delay);
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var save = autosaveOf(event);
    if (!save) { return; }
    var entry = failing[save.id];
    if (entry && entry.timer) { window.clearTimeout(entry.timer); entry.timer = null; }
    if (!entry) { showState(save.id, page.dataset.msgSaving, "pending"); }  // a failing one keeps saying so
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var save = autosaveOf(event), xhr = event.detail.xhr;
    if (save && xhr && xhr.status >= 200 && xhr.status < 500 && xhr.status !== 0) {
      if (xhr.status < 300 || xhr.status === 409 || xhr.status === 422) { delete failing[save.id]; }  // answered
      else if (xhr.status !== 401) { notSaved(save, false); }  // 401: htmx goes to the sign-in page
    }
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      var save = autosaveOf(event);
      if (save) { notSaved(save, true); }
    });
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var save = autosaveOf(event);
    if (save && event.detail.xhr && event.detail.xhr.status >= 500) { notSaved(save, true); }
  });
  window.addEventListener("online", function () {
    Object.keys(failing).forEach(function (id) {
      if (failing[id].timer) { window.clearTimeout(failing[id].timer); }
      sendAgain(id);
    });
  });

  // --- the sticky header's height, so that a question jumped to (#q-N) starts
  // below it (scroll-margin-top in app.css reads --exam-head-h)
  var head = page.querySelector(".exam-head");
  function measureHead() {
    if (head) { document.documentElement.style.setProperty("--exam-head-h", head.offsetHeight + "px"); }
  }
  measureHead();
  if (head && window.ResizeObserver) { new ResizeObserver(measureHead).observe(head); }

  // --- countdown: the server's deadline, corrected for the browser clock's skew
  var timer = document.getElementById("exam-timer");
  var deadline = Date.parse(page.dataset.deadline);
  var skew = Date.parse(page.dataset.serverNow) - Date.now();
  var form = document.getElementById("exam-form");
  var submitted = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    timer.textContent = (timer.dataset.label || "") + (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    timer.classList.toggle("low", left <= 300);
    if (left === 0 && !submitted && form) {
      // Time is up: send what is on the page and submit (the server decides).
      submitted = true;
      var go = document.createElement("input");
      go.type = "hidden"; go.name = "go"; go.value = "submit";
      form.appendChild(go);
      form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  if (timer && !isNaN(deadline)) { tick(); }

  // --- focus loss: report each time the page is hidden, but not when the page itself is
  // left (the next question of a one-question-per-page exam, the review, a reload, the
  // navigator): the browser hides a page it unloads too, after "pagehide".
  var focusUrl = page.dataset.focusUrl;
  var notice = document.getElementById("integrity-notice");
  var unloading = false;
  window.addEventListener("pagehide", function () { unloading = true; });
  window.addEventListener("pageshow", function () { unloading = false; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || submitted || unloading || !focusUrl) { return; }
    var meta = document.querySelector('meta[name="csrf-token"]');
    var body = new FormData();
    body.append("kind", "hidden");
    fetch(focusUrl, {
      method: "POST", body: body, credentials: "same-origin", keepalive: true,
      headers: { "X-CSRFToken": meta ? meta.content : "", "HX-Request": "true" }
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect");
      if (redirect) { submitted = true; window.location.assign(redirect); return null; }
      return response.text();
    }).then(function (html) {
      if (html && notice) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        notice.replaceChildren.apply(notice, Array.prototype.slice.call(doc.body.childNodes));
      }
    }).catch(function () { /* offline: the server counts what reaches it */ });
  });
})();

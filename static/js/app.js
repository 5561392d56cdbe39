// Every htmx request carries the CSRF token from the page's <meta> tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// On a phone the top navigation folds into the "menu" button (without
// JavaScript it stays open: the CSS folds it only under html.js).
document.documentElement.classList.add("js");
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 640px)");
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.closest(".topbar").classList.toggle("nav-open", open);
    });
  }
  // Sections marked data-collapse-on-phone (overdue weeks) start closed on a phone.
  if (phone.matches) {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-collapse-on-phone]"), function (d) {
      d.open = false;
    });
  }
})();

// After an htmx swap, keyboard and screen-reader users stay where they were: when the element that had
// focus was inside the swapped region (a pager link, a button), focus moves to the new region rather
// than falling back to the top of the page.
(function () {
  "use strict";
  var lost = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    lost = target && target.id && active && active !== document.body && target.contains(active) ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lost) { return; }
    var active = document.activeElement, region = document.getElementById(lost);
    lost = null;
    if (!region || (active && active !== document.body && document.body.contains(active))) { return; }
    if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "-1"); }
    region.focus();
  });
})();

// The server refuses a field holding a control character (lms/control_characters.py): a NUL, or the
// vertical tab a line break pasted from Word or Excel can bring along. Take them out as they are typed
// or pasted — before htmx's autosave reads the field (capture phase) — so that a save or a submit is not
// refused for a character nobody sees. Vertical tab and form feed become line breaks; tab, CR, LF stay.
(function () {
  "use strict";
  var CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;
  function clean(text) {
    return text.replace(/[\x0b\x0c]/g, "\n").replace(/[\x00-\x08\x0e-\x1f]/g, "");
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || (field.tagName !== "TEXTAREA" && field.tagName !== "INPUT") || field.type === "file"
        || typeof field.value !== "string" || !CONTROL.test(field.value)) { return; }
    var caret = null;
    try { caret = field.selectionEnd; } catch (e) { caret = null; }  // not every input type has one
    var before = caret === null ? "" : clean(field.value.slice(0, caret));
    field.value = clean(field.value);
    if (caret !== null) {
      try { field.setSelectionRange(before.length, before.length); } catch (e) { /* no caret */ }
    }
  }, true);
})();

// The exam page keeps the answers it sends on the way out in the tab's sessionStorage until the
// page that follows has read them (static/js/exam.js). Any other page removes such a copy: an
// answer never stays in the browser after the learner left the exam (a shared bank PC).
(function () {
  "use strict";
  if (document.getElementById("exam-page")) { return; }
  try {
    for (var i = window.sessionStorage.length - 1; i >= 0; i -= 1) {
      var key = window.sessionStorage.key(i);
      if (key && key.indexOf("lms-unsaved:") === 0) { window.sessionStorage.removeItem(key); }
    }
  } catch (err) { /* storage off */ }
})();

// A form that comes back refused puts the focus on its first field in error, scrolled to the middle of the
// screen: on a phone the page reloads at its top and an error further down went unseen (the submit button
// seemed to do nothing). Only on page load — the inline checks while typing leave the focus where it is.
(function () {
  "use strict";
  var field = document.querySelector(".has-error");
  if (!field) { return; }
  var input = field.matches("input, select, textarea") ? field
    : field.querySelector("input:not([type=hidden]), select, textarea");
  if (!input) { return; }
  input.focus({ preventScroll: true });
  field.scrollIntoView({ block: "center" });
})();

// htmx 2 does not swap an error answer, so a request refused after the user's rights changed (a role
// taken away, a pairing ended, a lesson withdrawn while its page was open: 403, 404, 410), a form that
// expired (400) or a server error left the page as it was, as if nothing had been sent. The error page's
// title and message are shown at the top of the page instead (role="alert"), the newest replacing the
// last. The exam's autosave shows its own state beside its question (exam.js).
(function () {
  "use strict";
  function showBanner(text) {
    var main = document.getElementById("main");
    if (!main) { return; }
    var old = document.getElementById("request-refused");
    if (old) { old.remove(); }
    var banner = document.createElement("div");
    banner.id = "request-refused";
    banner.className = "flash flash-error";
    banner.setAttribute("role", "alert");
    banner.textContent = text;
    main.insertBefore(banner, main.firstChild);
    banner.scrollIntoView({ block: "nearest" });
  }
  // Offline (a phone in a lift, on the metro): a form sent the ordinary way would replace the page with
  // the browser's "no internet" page, and what was typed on it (an exam's last answers) with it. It is
  // not sent; the page stays and says why. Caught before any other listener (capture on the document),
  // so the exam page does not count its answers as sent. The server stays the judge of everything else.
  document.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    showBanner(document.body.dataset.msgNoNetwork || "");
  }, true);
  // An htmx request that never reached the server (offline, connection dropped) said nothing either.
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    var target = elt && elt.getAttribute ? elt.getAttribute("hx-target") || "" : "";
    if (target.indexOf("#saved-") === 0) { return; }  // the exam's autosave says so beside its question
    showBanner(document.body.dataset.msgNoNetwork || "");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr, elt = event.detail.elt;
    var target = elt && elt.getAttribute ? elt.getAttribute("hx-target") || "" : "";
    if (!xhr || target.indexOf("#saved-") === 0) { return; }
    var found = new DOMParser().parseFromString(xhr.responseText || "", "text/html").getElementById("error-page");
    if (!found) { return; }
    var title = found.querySelector("h1"), message = found.querySelector(".error-message");
    showBanner((title ? title.textContent.trim() + " — " : "") + (message ? message.textContent.trim() : ""));
  });
})();

// An essay box's counter: the characters typed, counted as the server counts them (a line break one,
// surrounding blanks not at all; lms.questions.typed_length), so the limit named under the box is the
// one a save is held to.
(function () {
  "use strict";
  function update(box) {
    var counter = document.getElementById(box.getAttribute("aria-describedby") || "");
    var shown = counter && counter.querySelector(".char-count-n");
    if (!shown) { return; }
    var typed = Array.from(box.value.replace(/\r\n/g, "\n").trim()).length;
    shown.textContent = String(typed);
    counter.classList.toggle("over", typed > Number(box.dataset.maxChars));
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max-chars]")) { update(event.target); }
  });
})();

// A numeric answer box's ± button: the decimal keypad of a phone (inputmode="decimal") has no minus
// sign, so the button puts one in front of the number or takes it away. The button is hidden until this
// script runs (without JavaScript it would do nothing); the change reaches the autosave like typing does.
(function () {
  "use strict";
  var MINUS = /^\s*[-\u2212\uff0d]/;
  function wire(root) {
    Array.prototype.forEach.call(root.querySelectorAll("button.negate[hidden]"), function (b) { b.hidden = false; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.negate");
    if (!button) { return; }
    var box = document.getElementById(button.getAttribute("aria-controls") || "");
    if (!box) { return; }
    box.value = MINUS.test(box.value) ? box.value.replace(MINUS, "") : "-" + box.value.trim();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.dispatchEvent(new Event("change", { bubbles: true }));
    box.focus();
  });
  wire(document);
  document.addEventListener("htmx:afterSettle", function (event) { wire(event.target); });
})();

// Flash messages arrive with a page just loaded (post-redirect-get), and a live region that is already
// there when the page loads is not read out: a screen-reader user was not told "Saved." or "Language
// changed.". They are said once, through the page's empty polite region, a moment after the page loads.
(function () {
  "use strict";
  var announcer = document.getElementById("page-announcer");
  var flashes = document.querySelectorAll("#main > .flash");
  if (!announcer || !flashes.length) { return; }
  window.setTimeout(function () {
    announcer.textContent = Array.prototype.map.call(flashes, function (flash) {
      return flash.textContent.trim();
    }).join(" ");
  }, 250);
})();

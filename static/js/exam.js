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
  // The state is inside the question's live region (.saved-live): a screen reader hears the outcome of
  // a save once ("saved at …", from the server, or "not saved"), not "saving…" before it nor the same
  // "not saved" again at each retry.
  function showState(id, text, kind) {
    var span = document.getElementById(id);
    if (!span) { return; }
    if (kind === "pending") { span.setAttribute("aria-hidden", "true"); } else { span.removeAttribute("aria-hidden"); }
    if (span.textContent !== text) { span.textContent = text; }
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

  // --- the low-time warnings (5 minutes, 1 minute): the countdown is not read out at each tick
  // (role=timer, aria-live=off), so a screen reader hears each threshold once, through a polite live
  // region. Once per attempt: the thresholds said are kept in the tab's sessionStorage, so the next
  // page of a one-question-per-page exam (or a reload) does not say them again; a page opened past a
  // threshold not said yet says the lowest one reached (and counts the ones above it as said).
  var warning = document.getElementById("exam-time-warning");
  var WARNED = "lms-time-warned:" + (form ? form.getAttribute("action") : "");
  var warnedHere = [];
  function warnedBefore() {
    try { return JSON.parse(window.sessionStorage.getItem(WARNED) || "[]"); } catch (err) { return []; }
  }
  function warnLowTime(left) {
    if (!warning || left <= 0) { return; }
    var said = warnedHere.concat(warnedBefore()), due = null;
    [300, 60].forEach(function (at) {
      if (left <= at && said.indexOf(at) === -1 && warning.getAttribute("data-warn-" + at)) { due = at; }
    });
    if (due === null) { return; }
    [300, 60].forEach(function (at) { if (at >= due && warnedHere.indexOf(at) === -1) { warnedHere.push(at); } });
    try { window.sessionStorage.setItem(WARNED, JSON.stringify(warnedHere.concat(said))); } catch (err) { /* off */ }
    warning.textContent = warning.getAttribute("data-warn-" + due);
  }

  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    timer.textContent = (timer.dataset.label || "") + (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    timer.classList.toggle("low", left <= 300);
    warnLowTime(left);
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

  // --- the last keystrokes: an answer changed less than the autosave's pause (600 ms) before
  // the page goes (a reload, closing the tab, another tab or app) is sent when the page is hidden,
  // to the same autosave address with the same CSRF token as htmx's save, as a keepalive request
  // that the browser completes after the page is gone. It is not a focus report: leaving is
  // counted by the focus-loss code below only, and never on a reload or a move within the exam.
  // An answer counts as unsaved from the keystroke until the server acknowledged a save of it.
  // A reload may be answered before that request is (the page would show the answer without
  // its last words, and typing on would save that): the answers sent on the way out are kept
  // in the tab's sessionStorage for a minute, put back by the page that follows and saved
  // again the normal way. The copy is removed when read, when the page shows again (another tab
  // and back), when the form is sent, and by every page that is not the exam (app.js).
  var unsaved = {};  // saved-state id -> {elt, seq: changes so far, flushed: seq sent on hiding}
  var STASH = "lms-unsaved:" + (form ? form.getAttribute("action") : "");
  var STASH_MS = 60000;
  function dropStash() { try { window.sessionStorage.removeItem(STASH); } catch (err) { /* storage off */ } }
  function keepStash(items) {
    try {
      if (Object.keys(items).length) {
        window.sessionStorage.setItem(STASH, JSON.stringify({ at: Date.now(), items: items }));
      } else { dropStash(); }
    } catch (err) { /* storage off or full: the keepalive request still goes */ }
  }
  function restoreStash() {
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem(STASH) || "null"); } catch (err) { kept = null; }
    dropStash();
    if (!kept || !kept.items || !form || Date.now() - kept.at > STASH_MS || Date.now() < kept.at) { return; }
    Object.keys(kept.items).forEach(function (id) {
      var pairs = kept.items[id], field = null, differs = false;
      var values = {};
      pairs.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
      Object.keys(values).forEach(function (key) {
        Array.prototype.forEach.call(form.elements, function (elt) {
          if (elt.name !== key) { return; }
          field = field || autosaveField(elt);
          if (elt.type === "radio" || elt.type === "checkbox") {
            var on = values[key].indexOf(elt.value) !== -1;
            if (elt.checked !== on) { elt.checked = on; differs = true; }
          } else if (elt.value !== values[key][0]) { elt.value = values[key][0]; differs = true; }
        });
      });
      if (differs && field && field.id === id) { changed(field); htmx.trigger(field.elt, "change"); }
    });
  }
  function autosaveField(elt) {
    var field = elt && elt.closest ? elt.closest("[hx-post]") : null;
    var target = field ? field.getAttribute("hx-target") || "" : "";
    return target.indexOf("#saved-") === 0 ? { elt: field, id: target.slice(1) } : null;
  }
  function changed(save) {
    var entry = unsaved[save.id] || (unsaved[save.id] = { seq: 0, flushed: -1 });
    entry.elt = save.elt;
    entry.seq += 1;
    return entry.seq;
  }
  // --- typing without a pause: the autosave waits for a 600 ms pause, so a learner who types on
  // (or pastes with the mouse, which no key up follows) had nothing saved until they stopped. An
  // answer changed and not saved for SAVE_AT_LEAST_MS is saved then, pause or not: if the page then
  // goes with an answer too long for the send on the way out (below), at most those seconds are lost.
  var SAVE_AT_LEAST_MS = 5000;
  var dueSaves = {};  // saved-state id -> timer of the save that comes even without a pause
  function saveWithin(save) {
    if (dueSaves[save.id]) { return; }
    dueSaves[save.id] = window.setTimeout(function () {
      delete dueSaves[save.id];
      if (unsaved[save.id] && !submitted && document.body.contains(save.elt)) { htmx.trigger(save.elt, "change"); }
    }, SAVE_AT_LEAST_MS);
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var save = autosaveOf(event);  // a save is on its way: the next change starts a new wait
    if (save && dueSaves[save.id]) { window.clearTimeout(dueSaves[save.id]); delete dueSaves[save.id]; }
  });
  if (form) {
    form.addEventListener("input", function (event) {
      var save = autosaveField(event.target);
      if (save) { changed(save); saveWithin(save); }
    });
    // The form itself (next question, review, "save answers") carries every answer on the page.
    form.addEventListener("submit", function () { unsaved = {}; dropStash(); });
    window.addEventListener("load", restoreStash);
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var save = autosaveOf(event);
    if (save && event.detail.xhr) { event.detail.xhr.lmsSeq = changed(save); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var save = autosaveOf(event), xhr = event.detail.xhr, entry = save && unsaved[save.id];
    if (entry && xhr && (xhr.status === 200 || xhr.status === 409 || xhr.status === 422)
        && entry.seq === xhr.lmsSeq) { delete unsaved[save.id]; }
  });
  function flushUnsaved() {
    if (submitted || !form) { return; }
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = form.querySelector('input[name="csrf_token"]');
    var all = new FormData(form), stash = {};
    Object.keys(unsaved).forEach(function (id) {
      var entry = unsaved[id], seq = entry.seq;
      if (!document.body.contains(entry.elt)) { return; }
      // The question's own fields (a-<item id>, a-<item id>-<blank or part>), as htmx sends them.
      var name = "a-" + id.slice("saved-".length), body = new FormData(), pairs = [];
      all.forEach(function (value, key) {
        if (key === name || key.indexOf(name + "-") === 0) { pairs.push([key, value]); }
      });
      stash[id] = pairs;
      if (entry.flushed === seq) { return; }
      entry.flushed = seq;
      if (token) { body.append("csrf_token", token.value); }
      pairs.forEach(function (pair) { body.append(pair[0], pair[1]); });
      function send(keepalive) {
        return fetch(entry.elt.getAttribute("hx-post"), {
          method: "POST", body: body, credentials: "same-origin", keepalive: keepalive,
          headers: { "X-CSRFToken": meta ? meta.content : "", "HX-Request": "true" }
        });
      }
      // A keepalive body is limited to 64 kB (a very long essay): then an ordinary request,
      // which completes when the page stays (another tab) and may not when it unloads.
      send(true).catch(function () { return send(false); }).then(function (response) {
        if (!response.ok) { return null; }
        if (unsaved[id] === entry && entry.seq === seq) { delete unsaved[id]; }
        return response.text();
      }).then(function (html) {  // the page is still there (another tab): "saved at …"
        var span = document.getElementById(id);
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById(id);
        if (span && fresh) { span.replaceWith(fresh); }
      }).catch(function () { entry.flushed = -1; /* offline: the retry above sends it when back */ });
    });
    keepStash(stash);
  }
  window.addEventListener("pagehide", flushUnsaved);

  // --- an answer too long for the send on the way out: a keepalive request carries at most 64 kB
  // (all of the page's together), so closing the tab or reloading with more than that unsaved
  // would lose it without a word. The browser asks the learner to stay; the save is started at
  // once, so staying a moment saves it.
  var KEEPALIVE_BYTES = 65536 - 2048;  // the limit, less the form's CSRF token and multipart framing
  function unsavedBytes() {
    if (!form || !window.TextEncoder) { return 0; }
    var encoder = new TextEncoder(), all = new FormData(form), bytes = 0;
    Object.keys(unsaved).forEach(function (id) {
      var name = "a-" + id.slice("saved-".length);
      all.forEach(function (value, key) {
        if (typeof value === "string" && (key === name || key.indexOf(name + "-") === 0)) {
          bytes += encoder.encode(value).length + key.length + 100;
        }
      });
    });
    return bytes;
  }
  window.addEventListener("beforeunload", function (event) {
    if (submitted || unsavedBytes() <= KEEPALIVE_BYTES) { return; }
    Object.keys(unsaved).forEach(function (id) {
      var entry = unsaved[id];
      if (entry.elt && document.body.contains(entry.elt)) { htmx.trigger(entry.elt, "change"); }
    });
    event.preventDefault();
    event.returnValue = "";  // Chromium before 119 asks only when returnValue is set
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flushUnsaved(); } else { dropStash(); }
  });

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

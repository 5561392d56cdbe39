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

  // --- focus loss: report each time the page is hidden
  var focusUrl = page.dataset.focusUrl;
  var notice = document.getElementById("integrity-notice");
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || submitted || !focusUrl) { return; }
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

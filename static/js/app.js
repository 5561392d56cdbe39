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

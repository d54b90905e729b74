// zhaoshang portal behaviour. No inline scripts anywhere (CSP): pages opt in with data attributes.
(function () {
  "use strict";
  // A select inside form.js-autosubmit submits its form when changed (language switcher, filters).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form.js-autosubmit");
    if (form && event.target.matches("select")) { form.submit(); }
  });
  // Buttons with data-confirm ask before a destructive action is sent.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();

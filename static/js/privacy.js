// Partner sharing and impact assessments. No inline scripts (CSP): elements opt in with data attributes.
(function () {
  "use strict";
  // <button data-print> prints the page (the printable assessment).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
  });
})();

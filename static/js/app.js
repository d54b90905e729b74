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
  // htmx leaves 4xx/5xx responses unswapped, so a refusal from the server would show nothing.
  // Every htmx request in the portal: a fragment written for its target (the reveal's "请选择查看用途",
  // the legal hold's refusal, the daily limit) is swapped in like a success; a whole error page
  // (403/404/500) or a failed connection puts its message in the page's alert region instead.
  function errorRegion() { return document.getElementById("htmx-error"); }
  function showError(message) {
    var region = errorRegion();
    if (!region) { window.alert(message); return; }
    region.querySelector("[data-message]").textContent = message;
    region.classList.remove("d-none");
    region.scrollIntoView({ block: "nearest" });
  }
  function fallbackMessage(key) {
    return document.body.getAttribute(key) || document.body.getAttribute("data-htmx-error") || "Error";
  }
  function messageOfPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var selectors = [".lead", "main [role=alert]:not(#htmx-error)", "main p", "p", "body"];
    for (var i = 0; i < selectors.length; i++) {
      var node = doc.querySelector(selectors[i]);
      var text = node ? node.textContent.replace(/\s+/g, " ").trim() : "";
      if (text) { return text; }
    }
    return "";
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) { return; }
    var text = xhr.responseText || "";
    if (text.trim() && !/<html[\s>]/i.test(text)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    showError(messageOfPage(text) || fallbackMessage("data-htmx-error"));
  });
  document.addEventListener("htmx:sendError", function () { showError(fallbackMessage("data-htmx-network-error")); });
  document.addEventListener("htmx:timeout", function () { showError(fallbackMessage("data-htmx-network-error")); });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-htmx-error-close]")) { errorRegion().classList.add("d-none"); }
  });
  // A successful htmx request clears an earlier error message.
  document.addEventListener("htmx:afterRequest", function (event) {
    var region = errorRegion();
    if (region && event.detail.successful) { region.classList.add("d-none"); }
  });
})();

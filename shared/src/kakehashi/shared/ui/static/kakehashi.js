// The UI kit's script (with htmx, on every page).
// Every refused htmx request says why on the page: htmx swaps nothing on a 4xx or 5xx, so the
// answer's message (FastAPI's {"detail": ...}, naming the field, or the page's own text) goes
// into the #flash banner. A successful request clears it.
(function () {
  "use strict";
  function flash() { return document.getElementById("flash"); }

  function messageOf(xhr) {
    var text = xhr.responseText || "";
    try {
      var body = JSON.parse(text);
      var detail = body && body.detail;
      if (Array.isArray(detail)) {
        return detail.map(function (item) {
          var field = item.loc && item.loc.length ? item.loc[item.loc.length - 1] : "";
          return (field ? field + ": " : "") + item.msg;
        }).join("; ");
      }
      if (typeof detail === "string") { return detail; }
    } catch (ignored) { /* not JSON: the text itself */ }
    var doc = new DOMParser().parseFromString(text, "text/html");
    return (doc.body && doc.body.textContent || "").trim().slice(0, 300) || String(xhr.status);
  }

  function show(text) {
    var box = flash();
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var box = flash();
    var prefix = box ? box.dataset.refused : "";
    show(prefix + " " + messageOf(event.detail.xhr) + " (" + event.detail.xhr.status + ")");
  });
  document.addEventListener("htmx:sendError", function () {
    var box = flash();
    show(box ? box.dataset.unreachable : "");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = flash();
    if (box && event.detail.successful) { box.hidden = true; box.textContent = ""; }
  });
})();

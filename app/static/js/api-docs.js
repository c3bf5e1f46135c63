// The API documentation page: Swagger UI (vendored) reading /api/v1/openapi.json; no inline script.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    // Deep links put a link inside each operation's toggle button (nested controls, axe-core).
    deepLinking: false,
    tryItOutEnabled: false,
    persistAuthorization: false,
    onComplete: nameServersList,
  });

  // Swagger UI's list of servers has a visible heading but no label: name it for screen readers.
  function nameServersList() {
    var servers = node.querySelector("select#servers");
    if (servers && !servers.hasAttribute("aria-label")) {
      servers.setAttribute("aria-label", node.getAttribute("data-servers-label") || "Servers");
    }
  }
})();

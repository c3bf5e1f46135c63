// The API documentation page: Swagger UI (vendored) reading /api/v1/openapi.json; no inline script.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
})();

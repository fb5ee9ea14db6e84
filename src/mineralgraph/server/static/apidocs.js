// Starts the vendored Swagger UI on the OpenAPI document (no inline script: the page's CSP forbids it).
window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: el.dataset.url, dom_id: "#swagger-ui", deepLinking: true,
                                validatorUrl: null, tryItOutEnabled: false });
});

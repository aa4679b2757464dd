// Starts Swagger UI on the API documentation page; the settings come from the page, the CSRF token too.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  settings.requestInterceptor = function (request) {
    request.headers["X-CSRFToken"] = document.body.dataset.csrfToken;
    return request;
  };
  window.ui = window.SwaggerUIBundle(settings);
})();

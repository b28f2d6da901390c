// Swagger UI for this API's OpenAPI document, with FastAPI's defaults. A file rather than an
// inline script, so the docs page runs under a Content-Security-Policy of script-src 'self'.
const element = document.getElementById('swagger-ui');
window.ui = SwaggerUIBundle({
  url: element.dataset.openapiUrl,
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // Otherwise Swagger UI sends the document to validator.swagger.io: a call out.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});

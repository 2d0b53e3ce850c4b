// Starts Scalar's API reference on the OpenAPI document this server serves. Kept out of the page so
// that a Content-Security-Policy allowing only scripts of this origin ("script-src 'self'") lets it
// run. Everything that would reach another host is turned off: Scalar's web fonts (the system's fonts
// are used instead), its telemetry, its AI agent and its request proxy, so the page works on a
// network without internet.
(function () {
  "use strict";
  Scalar.createApiReference("#api-reference", {
    url: "/api/v1/openapi.json",
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    showDeveloperTools: "never",
  });
})();

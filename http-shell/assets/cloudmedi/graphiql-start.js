// Starts GraphiQL on /graphql. Kept out of the page so that a Content-Security-Policy allowing only
// scripts of this origin ("script-src 'self'") lets it run. Queries go to the same origin; the
// access token goes in GraphiQL's Headers tab: {"Authorization": "Bearer …"}.
(function () {
  "use strict";
  var endpoint = new URL("/graphql", window.location.origin).toString();
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    fetch: function (url, options) {
      return window.fetch(url, Object.assign({}, options, { credentials: "same-origin" }));
    },
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();

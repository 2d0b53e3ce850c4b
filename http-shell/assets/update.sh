#!/bin/sh
# Fetches the vendored browser assets again from the npm registry, at the versions named below, and
# copies the files the pages use (with each package's licence) into this folder. To update a package:
# change its version here, run this script, update README.md (versions and SHA-256 sums) and the paths
# in http-shell/src/assets.rs (each path carries its package's version), then check both pages
# offline. Needs npm.
set -eu
GRAPHIQL=4.1.2
REACT=18.3.1
SCALAR=1.76.4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for package in "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" "@scalar/api-reference@$SCALAR"; do
  directory=$(echo "$package" | tr '@/' '__')
  mkdir "$directory"
  tarball=$(npm pack --silent "$package")
  tar xzf "$tarball" -C "$directory"
done
cp graphiql_"$GRAPHIQL"/package/graphiql.min.js graphiql_"$GRAPHIQL"/package/graphiql.min.css \
  graphiql_"$GRAPHIQL"/package/LICENSE "$here/graphiql/"
cp react_"$REACT"/package/umd/react.production.min.js react_"$REACT"/package/LICENSE "$here/react/"
cp react-dom_"$REACT"/package/umd/react-dom.production.min.js react-dom_"$REACT"/package/LICENSE "$here/react-dom/"
# The npm package carries no licence file; scalar/LICENSE is the repository's (MIT), kept as is.
cp _scalar_api-reference_"$SCALAR"/package/dist/browser/standalone.js "$here/scalar/"
cd "$here"
sha256sum graphiql/* react/* react-dom/* scalar/*

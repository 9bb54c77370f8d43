#!/usr/bin/env bash
# Opens a nas_report page in headless Chromium (Debian's chromium) and checks
# that it renders: every image loaded (figures and cell drawings are data:
# URIs inside the page), at least one section, no console message.
#   tests/experiments/report/check_in_browser.sh RUN_DIR/report/index.html [SCREENSHOT.png]
# Exit 0: rendered; 1: a check failed (what failed is printed); 2: bad
# arguments; 77: no chromium here (the test skips, and ctest reports its
# suite, ReportInChromium, as skipped). With a second argument, also
# writes a screenshot there (1400 x 4000 pixels: the top of the page).
set -uo pipefail

page="${1:-}"
[[ -n "$page" && -f "$page" ]] || { echo "check_in_browser: no such page '${page}'" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "check_in_browser: chromium is not installed (./third_party/install-deps.sh browser)"; exit 77; }

page="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The page inside a frame; the frame's document is read once everything has
# loaded (file: pages may read each other only with
# --allow-file-access-from-files).
cat > "$work/check.html" <<HTML
<!DOCTYPE html><html><body>
<iframe id="report" src="file://$page" style="width:1400px;height:3000px"></iframe>
<script>
window.addEventListener('load', function () {
  var doc = document.getElementById('report').contentDocument;
  var images = doc ? Array.prototype.slice.call(doc.images) : [];
  var broken = images.filter(function (i) { return !i.complete || i.naturalWidth === 0; });
  var verdict = document.createElement('p');
  verdict.id = 'verdict';
  verdict.textContent = 'VERDICT readable=' + (doc ? 1 : 0) + ' sections=' +
      (doc ? doc.querySelectorAll('section').length : 0) + ' images=' + images.length + ' broken=' + broken.length +
      ' brokenalts=' + broken.map(function (i) { return i.alt; }).join('|');
  document.body.appendChild(verdict);
});
</script></body></html>
HTML
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --virtual-time-budget=10000)
"$browser" "${flags[@]}" --dump-dom "file://$work/check.html" > "$work/dom.html" 2> "$work/log.txt"
verdict="$(grep -o 'VERDICT readable=[01] [^<]*' "$work/dom.html" | head -1)"
failed=0
if [[ -z "$verdict" ]]; then
  echo "check_in_browser: the page did not finish loading in chromium"; failed=1
else
  echo "check_in_browser: ${verdict#VERDICT }"
  [[ "$verdict" == *"readable=1"* ]] || { echo "check_in_browser: the page could not be read"; failed=1; }
  [[ "$verdict" =~ sections=([0-9]+) && ${BASH_REMATCH[1]} -gt 0 ]] || { echo "check_in_browser: no section rendered"; failed=1; }
  [[ "$verdict" =~ broken=([0-9]+) && ${BASH_REMATCH[1]} -eq 0 ]] || { echo "check_in_browser: images that did not load"; failed=1; }
fi
if grep -q 'CONSOLE' "$work/log.txt"; then
  echo "check_in_browser: console messages:"; grep 'CONSOLE' "$work/log.txt"; failed=1
fi
if [[ $# -ge 2 ]]; then
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile2" \
    --window-size=1400,4000 --screenshot="$2" "file://$page" > /dev/null 2>&1 && echo "check_in_browser: screenshot $2"
fi
exit $failed

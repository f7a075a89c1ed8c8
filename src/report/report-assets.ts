// The style sheet and script the HTML report inlines: no file beside it, no network, so a
// report can be mailed, archived and opened anywhere.

/** The report's style sheet: a readable single column, tables, badges, the Pareto plot's states. */
export const REPORT_CSS = `
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #0969da; --bad: #cf222e; --good: #1a7f37; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { scroll-behavior: auto; }
body { margin: 0; color: var(--ink); background: #ffffff; font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header.page { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.page h1 { margin: 0 0 4px; font-size: 22px; }
header.page .meta { margin: 0; color: var(--muted); }
nav.toc { position: sticky; top: 0; z-index: 5; padding: 6px 32px; background: rgba(255,255,255,0.95); border-bottom: 1px solid var(--line); }
nav.toc a { margin-right: 18px; color: var(--accent); text-decoration: none; }
nav.toc .selected-plan { color: var(--muted); }
main { max-width: 1240px; padding: 8px 32px 48px; margin: 0 auto; }
section { margin-top: 24px; }
h2 { font-size: 19px; margin: 24px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 12px 0 6px; }
h4 { font-size: 14px; margin: 20px 0 6px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
p.lead { margin: 4px 0 12px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 0 4px; border-radius: 4px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; }
table.plans tr[data-plan] { cursor: pointer; }
table.plans tr[data-plan]:hover { background: #eef4fb; }
table.plans tr.selected { background: #ddeeff; }
table.plans tr.selected td:first-child { box-shadow: inset 3px 0 0 var(--accent); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 8px 32px; }
.figure { margin: 8px 0 16px; padding: 8px; border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; background: #ffffff; }
.figure svg { display: block; max-width: 100%; height: auto; }
.figure.actual-size svg { max-width: none; }
.figure { position: relative; }
button.zoom { position: absolute; top: 6px; right: 6px; z-index: 2; font: 12px inherit; padding: 2px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--soft); color: var(--accent); cursor: pointer; }
.caption { color: var(--muted); font-size: 12.5px; margin: 4px 0 0; }
.badge { display: inline-block; padding: 0 8px; margin-left: 6px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; background: var(--soft); border: 1px solid var(--line); color: var(--muted); }
.badge.chosen { background: #ddf4e4; border-color: #8fd19e; color: var(--good); }
.badge.infeasible { background: #ffebe9; border-color: #ff8182; color: var(--bad); }
.bad { color: var(--bad); font-weight: 600; }
.bar { height: 10px; background: #8fb8e8; border-radius: 2px; min-width: 1px; }
.bar.over { background: #ff8182; }
ul.explanation { padding-left: 18px; }
ul.explanation li { margin: 4px 0; }
article.plan-detail { border-top: 3px solid var(--accent); margin-top: 8px; padding-top: 4px; }
article.plan-detail .back { float: right; font-size: 13px; color: var(--accent); text-decoration: none; }
.pareto .point { cursor: pointer; outline: none; }
.pareto .point:hover .mark, .pareto .point:focus .mark { stroke-width: 2.8; }
.pareto .point.selected .mark { stroke: #000000; stroke-width: 3; }
.pareto .point:focus-visible .mark { stroke: var(--accent); }
#hover-card { position: fixed; z-index: 10; max-width: 420px; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; background: #ffffff; box-shadow: 0 4px 14px rgba(0,0,0,0.15); pointer-events: none; font-size: 13px; }
#hover-card strong { display: block; margin-bottom: 2px; }
#hover-card .hint { color: var(--muted); font-size: 12px; margin-top: 4px; }
details > summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
`;

/**
 * The report's script: clicking (or Enter on) a point of the Pareto plot or a row of the plans
 * table shows that plan's section and hides the others; a figure's zoom button switches it
 * between fitting the page's width and its actual size; hovering or focusing a point shows a
 * card with its cost and summary; `#plan-<id>` in the address selects a plan on load, else the
 * page's `data-chosen` one. Plain ES2017, no library.
 */
export const REPORT_SCRIPT = `
(function () {
  "use strict";
  var articles = Array.prototype.slice.call(document.querySelectorAll("article.plan-detail"));
  if (articles.length === 0) return;
  var card = document.getElementById("hover-card");
  var SELECTABLE = ".point[data-plan], tr[data-plan], a.plan-link[data-plan]";
  function articleOf(id) {
    for (var i = 0; i < articles.length; i++) if (articles[i].getAttribute("data-plan") === id) return articles[i];
    return null;
  }
  function select(id, scroll) {
    var target = articleOf(id);
    if (target === null) return false;
    articles.forEach(function (a) { a.hidden = a !== target; });
    document.querySelectorAll(".point[data-plan], tr[data-plan]").forEach(function (el) {
      var on = el.getAttribute("data-plan") === id;
      el.classList.toggle("selected", on);
      el.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var label = document.getElementById("selected-name");
    if (label !== null) label.textContent = target.getAttribute("data-name");
    // Only on a user's choice: a fragment set while the page loads makes the browser jump to it.
    if (scroll && window.history && history.replaceState) history.replaceState(null, "", "#plan-" + encodeURIComponent(id));
    if (scroll) target.scrollIntoView({ block: "start" });
    return true;
  }
  document.addEventListener("click", function (e) {
    var zoom = e.target && e.target.closest ? e.target.closest("button.zoom") : null;
    if (zoom !== null) {
      var figure = zoom.parentElement;
      var actual = figure.classList.toggle("actual-size");
      zoom.textContent = actual ? "fit to width" : "actual size";
      return;
    }
    var el = e.target && e.target.closest ? e.target.closest(SELECTABLE) : null;
    if (el === null) return;
    e.preventDefault();
    select(el.getAttribute("data-plan"), true);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" && e.key !== " ") return;
    var el = e.target && e.target.closest ? e.target.closest(".point[data-plan], tr[data-plan]") : null;
    if (el === null) return;
    e.preventDefault();
    select(el.getAttribute("data-plan"), true);
  });
  function showCard(point, x, y) {
    if (card === null) return;
    var article = articleOf(point.getAttribute("data-plan"));
    var headline = article === null ? null : article.querySelector(".headline");
    card.innerHTML = "";
    var name = document.createElement("strong");
    name.textContent = point.getAttribute("data-name");
    var cost = document.createElement("div");
    cost.textContent = point.getAttribute("data-summary") || "";
    card.appendChild(name);
    card.appendChild(cost);
    if (headline !== null) {
      var what = document.createElement("div");
      what.textContent = headline.textContent;
      card.appendChild(what);
    }
    var hint = document.createElement("div");
    hint.className = "hint";
    hint.textContent = "click to show this plan: explanation, plan graph, shard map, timeline";
    card.appendChild(hint);
    card.hidden = false;
    var w = card.offsetWidth, h = card.offsetHeight;
    card.style.left = Math.max(4, Math.min(x + 16, window.innerWidth - w - 8)) + "px";
    card.style.top = Math.max(4, Math.min(y + 16, window.innerHeight - h - 8)) + "px";
  }
  function hideCard() { if (card !== null) card.hidden = true; }
  document.querySelectorAll(".point[data-plan]").forEach(function (p) {
    var title = p.querySelector("title");
    // The card replaces the native tooltip, which would otherwise cover it.
    if (title !== null) { p.setAttribute("data-summary", title.textContent); title.remove(); }
    p.addEventListener("mouseenter", function (e) { showCard(p, e.clientX, e.clientY); });
    p.addEventListener("mousemove", function (e) { showCard(p, e.clientX, e.clientY); });
    p.addEventListener("mouseleave", hideCard);
    p.addEventListener("focus", function () { var r = p.getBoundingClientRect(); showCard(p, r.right, r.bottom); });
    p.addEventListener("blur", hideCard);
  });
  var m = /^#plan-(.+)$/.exec(window.location.hash);
  if (!(m && select(decodeURIComponent(m[1]), false))) select(document.body.getAttribute("data-chosen"), false);
})();
`;

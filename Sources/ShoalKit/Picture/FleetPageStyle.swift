/// The fleet page's style sheet: system font, light theme, one colour per
/// kind of state that reads on white (green done, amber waiting, red
/// failing), a table that scrolls sideways on a narrow screen.
enum FleetPageStyle {
    static let source = #"""
:root { --ok: #1a7f37; --ok-bg: #dafbe1; --wait: #9a6700; --wait-bg: #fff8c5; --bad: #cf222e; --bad-bg: #ffebe9;
  --muted: #59636e; --line: #d1d9e0; --bar: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px clamp(12px, 3vw, 40px); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; color: #1f2328; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 22px; }
#meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 16px; }
#notice { margin: 12px 0 0; padding: 8px 12px; border-radius: 6px; background: var(--bad-bg); color: var(--bad); }
h2 { font-size: 16px; margin: 24px 0 8px; }
#counts { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 16px; }
.count { display: flex; flex-direction: column; min-width: 108px; padding: 8px 14px; border: 1px solid var(--line);
  border-radius: 8px; background: #f6f8fa; font: inherit; text-align: left; color: inherit; }
button.count { cursor: pointer; }
button.count:hover { border-color: #8c959f; }
.count .number { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.count .label { color: var(--muted); }
.count.state-up-to-date, .count.state-ok { border-color: #aceebb; background: var(--ok-bg); }
.count.state-up-to-date .number, .count.state-ok .number { color: var(--ok); }
.count.state-behind, .count.state-uninitialized, .count.state-in-progress, .count.state-planned, .count.state-skipped {
  border-color: #eed888; background: var(--wait-bg); }
.count.state-behind .number, .count.state-uninitialized .number, .count.state-in-progress .number,
  .count.state-planned .number, .count.state-skipped .number { color: var(--wait); }
.count.state-failed, .count.state-rolled-back, .count.state-replica-lag, .count.state-dirty, .count.state-unreachable,
  .count.state-unknown-revision { border-color: #ffcecb; background: var(--bad-bg); }
.count.state-failed .number, .count.state-rolled-back .number, .count.state-replica-lag .number, .count.state-dirty .number,
  .count.state-unreachable .number, .count.state-unknown-revision .number { color: var(--bad); }
#charts { display: flex; flex-wrap: wrap; gap: 16px 40px; }
.chart { margin: 0; max-width: 100%; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.chart svg { max-width: 100%; height: auto; }
.bar { fill: var(--bar); }
.bar.unknown { fill: #8c959f; }
.bar-label { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: #1f2328; }
.bar-count { font-size: 12px; fill: var(--muted); }
#failures ol { margin: 0; padding: 0; list-style: none; display: grid; gap: 8px; }
#failures li { border-left: 4px solid var(--bad); background: var(--bad-bg); padding: 8px 12px; border-radius: 0 6px 6px 0;
  overflow-wrap: anywhere; }
#failures li.more { border-left-color: var(--line); background: #f6f8fa; color: var(--muted); }
#failures.none h2 { color: var(--ok); }
.failure-head { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.failure-message { margin-top: 4px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px;
  white-space: pre-wrap; }
.failure-details, .muted { color: var(--muted); font-size: 12px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin: 8px 0; }
#filter { width: min(420px, 100%); padding: 6px 10px; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
#pager { display: flex; align-items: center; gap: 8px; color: var(--muted); }
#pager button { font: inherit; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa;
  cursor: pointer; }
#pager button:disabled { cursor: default; opacity: .45; }
.table-box { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 6px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
td { overflow-wrap: break-word; }
td[data-column=target] { white-space: nowrap; font-weight: 500; }
td[data-column=revisions] { white-space: nowrap; padding-top: 8px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
td[data-column=pending], td[data-column=duration] { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td[data-column=error] { min-width: 16em; max-width: 36em; }
th { background: #f6f8fa; position: sticky; top: 0; }
th.numeric { text-align: right; }
th button { all: unset; cursor: pointer; font-weight: 600; white-space: nowrap; }
th button:focus-visible { outline: 2px solid var(--bar); }
th[aria-sort=ascending] button::after { content: " \25B2"; font-size: 10px; }
th[aria-sort=descending] button::after { content: " \25BC"; font-size: 10px; }
tbody tr:last-child td { border-bottom: none; }
tr.failing td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
.replica-problem { color: var(--bad); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap;
  background: #eaeef2; color: #1f2328; }
.badge.state-up-to-date, .badge.state-ok { background: var(--ok-bg); color: var(--ok); }
.badge.state-behind, .badge.state-uninitialized, .badge.state-in-progress, .badge.state-planned, .badge.state-skipped {
  background: var(--wait-bg); color: var(--wait); }
.badge.state-failed, .badge.state-rolled-back, .badge.state-replica-lag, .badge.state-dirty, .badge.state-unreachable,
  .badge.state-unknown-revision { background: var(--bad-bg); color: var(--bad); }
#empty { padding: 16px; color: var(--muted); }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
"""#
}

// The dashboard's stylesheet, inlined into every page (no external assets: Qlik servers are often offline).
export const DASHBOARD_CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1f2328;--muted:#656d76;--line:#d8dee4;--brand:#0b5cad;
--ok:#1a7f37;--ok-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;
--info:#0969da;--info-bg:#ddf4ff;--idle:#57606a;--idle-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--ink)}
a{color:var(--brand);text-decoration:none}a:hover{text-decoration:underline}
header{background:#10243e;color:#fff;display:flex;flex-wrap:wrap;align-items:center;column-gap:24px;row-gap:2px;padding:8px 24px 0;position:sticky;top:0;z-index:5}
header .brand{font-weight:700;font-size:16px;letter-spacing:.2px;color:#fff}
header .brand small{font-weight:400;color:#9fb3c8;margin-left:8px;font-size:12px}
header nav{display:flex;gap:2px;order:3;flex:1 0 100%;flex-wrap:nowrap;overflow-x:auto;scrollbar-width:thin;scrollbar-color:#24507f #10243e;padding-bottom:6px;margin:0 -10px}
header nav a{white-space:nowrap}header nav a.help{margin-left:auto}
header .brand{margin-right:auto}
header nav a{color:#c9d6e3;padding:6px 10px;border-radius:6px}
header nav a:hover{background:#1d3a5f;text-decoration:none;color:#fff}
header nav a.active{background:#24507f;color:#fff}
header nav.pages{order:4;background:#17314f;margin:0 -24px;padding:4px 14px;gap:4px;flex-wrap:wrap;overflow:visible}
header nav.pages a{font-size:13px;padding:4px 10px}header nav.pages a.active{background:#fff;color:#10243e;font-weight:600}
header nav.sections a{font-weight:500}
header label{color:#c9d6e3;font-size:12px;display:flex;gap:6px;align-items:center;cursor:pointer}
header .zone{color:#c9d6e3;font-size:12px}header #signout{color:#c9d6e3;font-size:12px;text-decoration:underline}
main{max-width:1280px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:20px;margin:4px 0 16px}h2{font-size:15px;margin:0 0 12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px;margin-bottom:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px;margin-bottom:16px;overflow:auto}
.usage{margin:8px 0 12px}.usage svg{display:block;margin-top:4px}
.card.tight{padding:0}.card.tight h2{padding:14px 16px 0}
.stats{display:flex;gap:12px;flex-wrap:wrap}
.stat{flex:1;min-width:110px;border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fbfcfd}
.statlink{flex:1;min-width:110px;display:flex;color:inherit;text-decoration:none!important}.statlink .stat:hover{border-color:var(--brand)}
.stat b{display:block;font-size:22px;line-height:1.2}.stat span{color:var(--muted);font-size:12px}
table{width:100%;border-collapse:collapse}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.3px;border-bottom:1px solid var(--line);padding:8px 10px;white-space:nowrap}
td{border-bottom:1px solid #eef1f4;padding:8px 10px;vertical-align:top}
tr:last-child td{border-bottom:0}tbody tr:hover{background:#f6f8fa}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.s-ok{color:var(--ok);background:var(--ok-bg);border-color:#aceebb}.s-fail{color:var(--fail);background:var(--fail-bg);border-color:#ffcecb}
.s-warn{color:var(--warn);background:var(--warn-bg);border-color:#f5e0a0}.s-info{color:var(--info);background:var(--info-bg);border-color:#b6e3ff}
.s-idle{color:var(--idle);background:var(--idle-bg);border-color:#d0d7de}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px}
.dot.s-ok{background:var(--ok)}.dot.s-fail{background:var(--fail)}.dot.s-warn{background:var(--warn)}.dot.s-idle{background:var(--idle)}.dot.s-info{background:var(--info)}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{display:grid;grid-template-columns:92px 18px 1fr;gap:8px;padding:8px 0;border-bottom:1px solid #eef1f4}
.timeline li:last-child{border-bottom:0}.timeline time{color:var(--muted);font-variant-numeric:tabular-nums;font-size:12px;padding-top:2px}
.timeline .bar{width:4px;border-radius:2px;margin:2px auto}
.bar.s-ok{background:var(--ok)}.bar.s-fail{background:var(--fail)}.bar.s-warn{background:var(--warn)}.bar.s-idle{background:var(--idle)}.bar.s-info{background:var(--info)}
.muted{color:var(--muted)}.small{font-size:12px}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.nowrap{white-space:nowrap}.right{text-align:right}
button,.btn{font:inherit;font-size:13px;border:1px solid var(--line);background:#f6f8fa;color:var(--ink);border-radius:6px;padding:4px 12px;cursor:pointer}
button:hover{background:#eef1f4}button:disabled{opacity:.5;cursor:default}
button.primary{background:var(--brand);border-color:var(--brand);color:#fff}button.primary:hover{background:#094a8c}
button.danger{color:var(--fail)}
.snooze{display:flex;gap:6px;align-items:center;margin-top:6px}
pre.log-errors{color:var(--fail);background:var(--fail-bg);border-left:3px solid var(--fail);white-space:pre-wrap}
mark.log-fail{color:var(--fail);background:var(--fail-bg);font-weight:600}
.toolbar{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-bottom:12px}
.toolbar .spacer{flex:1}
select,input[type=text],input[type=search]{font:inherit;font-size:13px;padding:4px 8px;border:1px solid var(--line);border-radius:6px;background:#fff}
fieldset.grid-form{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px 16px;align-items:end;border:1px solid var(--line);border-radius:8px;padding:10px 14px 14px;margin:0 0 12px}
fieldset.grid-form legend{font-weight:600;font-size:13px;padding:0 6px}
.grid-form label{display:flex;flex-direction:column;gap:4px;font-size:12px;font-weight:600;color:var(--muted)}
.grid-form input,.grid-form select{font:inherit;font-size:13px;font-weight:400;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--field);color:var(--ink);min-width:0}
.grid-form .hint{grid-column:1/-1;margin:0}.form-actions{display:flex;gap:8px;align-items:center}
.switch{position:relative;display:inline-block;width:36px;height:20px;vertical-align:middle}
.switch input{opacity:0;width:0;height:0}
.switch span{position:absolute;inset:0;background:#d0d7de;border-radius:20px;transition:.15s;cursor:pointer}
.switch span:before{content:"";position:absolute;width:14px;height:14px;left:3px;top:3px;background:#fff;border-radius:50%;transition:.15s}
.switch input:checked+span{background:var(--ok)}.switch input:checked+span:before{transform:translateX(16px)}
.switch input:disabled+span{opacity:.5;cursor:default}
pre{background:#0f1720;color:#e6edf3;padding:12px;border-radius:6px;overflow:auto;max-height:480px;font-size:12px;margin:0}
.kv{display:grid;grid-template-columns:220px 1fr;gap:16px}
.kv ul{list-style:none;margin:0;padding:0}.kv li a{display:block;padding:5px 8px;border-radius:6px}
.kv li a.active{background:var(--info-bg);font-weight:600}
.empty{color:var(--muted);padding:16px;text-align:center}.empty a{text-decoration:underline}[data-cause] a{text-decoration:underline}
.notice{border:1px solid #f5e0a0;background:var(--warn-bg);color:#5c4400;border-radius:6px;padding:10px 12px;margin-bottom:12px}
.notice.degraded-banner{border-color:#ffcecb;background:var(--fail-bg);color:var(--fail)}
.mail-frame{width:100%;height:560px;border:1px solid var(--line);border-radius:6px;background:#fff}
dl.props{display:grid;grid-template-columns:160px 1fr;gap:6px 12px;margin:0}dl.props dt{color:var(--muted)}dl.props dd{margin:0}
#toast{position:fixed;right:20px;bottom:20px;max-width:420px;padding:10px 14px;border-radius:8px;background:#10243e;color:#fff;box-shadow:0 4px 16px rgba(0,0,0,.2);display:none;z-index:10}
#toast.error{background:var(--fail)}
.chart{margin:0}.chart svg{width:100%;height:auto;display:block}
.chart text{fill:var(--muted);font-size:11px;font-family:inherit}.chart .grid{stroke:var(--line);stroke-width:1}
.chart .hit{fill:transparent}.chart .bar:hover .hit{fill:var(--hover)}
.c-ok{fill:var(--ok)}.c-fail{fill:var(--fail)}.c-warn{fill:var(--warn)}.c-info{fill:var(--info)}.c-idle{fill:var(--idle)}
.hbar{width:100%;height:14px;display:block;min-width:120px}.hbar .track{fill:var(--idle-bg)}.hbar .mark{fill:var(--ink)}
.chart-table td{border-bottom:0;padding:5px 6px;vertical-align:middle}.chart-table td.label{width:38%;word-break:break-word}.chart-table td.barcell{width:42%}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin-top:6px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.swatch.s-ok{background:var(--ok)}.swatch.s-fail{background:var(--fail)}.swatch.s-warn{background:var(--warn)}.swatch.s-idle{background:var(--idle)}.swatch.s-info{background:var(--info)}
:root{--hover:rgba(9,105,218,.08);--row:#eef1f4;--raised:#fbfcfd;--button:#f6f8fa;--field:#fff}
.stat{background:var(--raised)}td{border-bottom-color:var(--row)}.timeline li{border-bottom-color:var(--row)}
tbody tr:hover{background:var(--hover)}button,.btn{background:var(--button)}select,input[type=text],input[type=search]{background:var(--field);color:var(--ink)}
@media (prefers-color-scheme: dark){
.grid-form input{color-scheme:dark}
:root{--bg:#0d1117;--card:#161b22;--ink:#e6edf3;--muted:#9da7b3;--line:#30363d;--brand:#58a6ff;
--ok:#3fb950;--ok-bg:#12261a;--fail:#f85149;--fail-bg:#2d1214;--warn:#d29922;--warn-bg:#2b2111;
--info:#58a6ff;--info-bg:#0f2540;--idle:#8b949e;--idle-bg:#21262d;--hover:rgba(88,166,255,.10);--row:#21262d;--raised:#0d1117;--button:#21262d;--field:#0d1117}
.s-ok{border-color:#1f6f35}.s-fail{border-color:#8e1c1c}.s-warn{border-color:#6c4f0c}.s-info{border-color:#1c4f8a}.s-idle{border-color:#30363d}
button:hover{background:#30363d}.notice{color:var(--warn);border-color:#6c4f0c}
button.primary{color:#0d1117}button.primary:hover{background:#79b8ff}
}
`;

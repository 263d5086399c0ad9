/** The demo pages' stylesheet (/demo/demo.css): served from this origin, so the pages' CSP needs no inline style. */
export const DEMO_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f5f7}
a{color:#0b5cad}
.demo-banner{margin:0;padding:2px 16px;background:#1b1f24;color:#fff;font-size:.85rem}
.demo-banner p{margin:4px 0}
.demo-banner a{color:#9ecbff}
header.site{display:flex;align-items:center;gap:24px;padding:16px 32px;background:#fff;border-bottom:1px solid #d0d7de}
header.site .logo{font-weight:800;font-size:1.3rem;letter-spacing:.02em;color:#1b1f24;text-decoration:none}
header.site nav a{margin-right:16px;color:#3d4752;text-decoration:none}
main{max-width:1180px;margin:0 auto;padding:24px 32px;display:grid;gap:24px}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(280px,2fr);gap:24px;align-items:start}
.panel{background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:20px 24px}
h1{font-size:1.8rem;margin:0 0 12px}
h2{font-size:1.25rem;margin:0 0 12px}
label{display:block;font-weight:600;margin:0 0 12px}
select,input[type=email]{display:block;width:100%;margin-top:4px;padding:10px;font:inherit;border:1px solid #8c959f;border-radius:6px;background:#fff}
fieldset{border:1px solid #d0d7de;border-radius:6px;margin:0 0 12px;padding:8px 12px}
fieldset label{display:inline-block;font-weight:400;margin-right:16px}
.price{font-size:1.4rem;font-weight:700;display:block;margin:8px 0 16px}
button.primary{background:#c3002f;color:#fff;border:0;border-radius:6px;padding:12px 20px;font:inherit;font-weight:600;cursor:pointer;min-height:44px}
button:focus-visible,select:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.note{color:#3d4752;font-size:.95rem;margin:8px 0 0}
.hero{background:linear-gradient(120deg,#1b1f24,#3d4752);color:#fff;border-radius:12px;padding:40px 32px}
.hero h1{font-size:2.2rem}
.hero p{max-width:40em}
pitwall-offers{--pitwall-accent:#c3002f;--pitwall-focus:#1a5fb4}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
pre{background:#1b1f24;color:#e6edf3;padding:12px 16px;border-radius:8px;overflow-x:auto}
/* in-car */
body.car{background:#0d1117;color:#e6edf3}
body.car .demo-banner{background:#000}
.car-wrap{max-width:1180px;margin:0 auto;padding:24px;display:grid;grid-template-columns:minmax(0,2fr) minmax(260px,1fr);gap:24px}
.dash{background:#161b22;border:2px solid #30363d;border-radius:24px;padding:20px 28px;min-height:420px;display:flex;flex-direction:column}
.statusbar{display:flex;justify-content:space-between;font-size:1.2rem;color:#c9d1d9;border-bottom:1px solid #30363d;padding-bottom:10px;margin-bottom:20px}
#screen{flex:1;display:flex;flex-direction:column;justify-content:center;gap:20px}
.glance{font-size:2rem;line-height:1.3;font-weight:600;margin:0;max-width:26ch}
.glance.quiet{color:#c9d1d9}
.glance.safety{color:#ffb4b4}
.why{font-size:1.3rem;color:#c9d1d9;margin:0}
.buttons{display:flex;gap:16px;flex-wrap:wrap}
.buttons button{font:inherit;font-size:1.4rem;font-weight:600;min-height:64px;min-width:180px;padding:0 28px;border-radius:14px;cursor:pointer}
.buttons .primary{background:#1a5fb4;color:#fff;border:0}
.buttons .secondary{background:#30363d;color:#e6edf3;border:2px solid #8b949e}
.spoken{font-size:1.1rem;color:#c9d1d9;margin:0;border-left:4px solid #58a6ff;padding-left:12px}
.spoken-label{font-weight:700}
.sim{background:#161b22;border:1px solid #30363d;border-radius:12px;padding:16px 20px}
.sim h2{font-size:1.1rem}
.sim fieldset{border-color:#30363d}
.sim legend{color:#c9d1d9}
.sim label{color:#e6edf3}
.sim button{display:block;width:100%;margin:8px 0;font:inherit;min-height:44px;border-radius:8px;background:#21262d;color:#e6edf3;border:1px solid #8b949e;cursor:pointer}
.sim .note{color:#c9d1d9}
body.car a{color:#9ecbff}
`;

// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.
import{V as o,m as r,ua as e}from"./chunk-I7YHEWSX.js";var n=16,y=16,c=/[a-z0-9_-]{1,32}/,x=/[0-9a-f]{32}/;async function i(t){return r((await o(t)).subarray(0,n))}async function _(t){return i(await e(t))}export{n as a,y as b,c,x as d,i as e,_ as f};

// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.
import{h as b}from"./chunk-TU6CTTMA.js";import"./chunk-DD52KMWH.js";import{B as d,C as p,b as o,c as u,d as v,e as h,f as m,i as f,j as g,q as $}from"./chunk-MOUCXVRP.js";import"./chunk-EFYRY5B6.js";import{d as c}from"./chunk-AWXJPDWP.js";function _(n,s,e,a){let i=(e?.devices??[]).flatMap(t=>t.cameras.map(r=>({key:`${t.device_id}/${r.camera_id}`,name:`${r.name||r.camera_id} (${t.agent_name})`})));return o`<label for="mode">${n("card.editor.mode")}</label>
    <select id="mode" @change=${t=>a({mode:t.target.value==="clips"?"clips":"live"})}>
      <option value="live" ?selected=${s.mode==="live"}>${n("card.editor.mode_live")}</option>
      <option value="clips" ?selected=${s.mode==="clips"}>${n("card.editor.mode_clips")}</option>
    </select>
    ${s.mode==="live"?o`<label for="live-camera">${n("card.editor.live_camera")}</label>
          <select id="live-camera" @change=${t=>a({live_camera:t.target.value})}>
            <option value="" ?selected=${s.live_camera===""}>${n("card.editor.first_camera")}</option>
            ${i.map(({key:t,name:r})=>o`<option value=${t} ?selected=${s.live_camera===t}>${r}</option>`)}
          </select>`:u}`}var l=class extends v{constructor(){super(...arguments);this.config=p({type:"custom:e2ee-nvr-clips-card"});this.cameras=null;this.requested=!1}static{this.styles=$}setConfig(e){this.config=p(e)}willUpdate(){this.hass===void 0||this.requested||(this.requested=!0,b(this.hass).cameras().then(e=>this.cameras=e,()=>{}))}change(e){this.config={...this.config,...e},this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:this.config},bubbles:!0,composed:!0}))}toggleCamera(e,a){let i=this.config.cameras.filter(t=>t!==e);this.change({cameras:a?[...i,e].sort():i})}render(){let e=g(this.hass);return o`<div>
      <label for="title">${e("card.editor.title")}</label>
      <input id="title" .value=${this.config.title} @input=${a=>this.change({title:a.target.value})} />
      <label for="count">${e("card.editor.count")}</label>
      <input id="count" type="number" min="1" max=${d} .value=${String(this.config.count)}
        @change=${a=>{let i=Math.round(Number(a.target.value));i>=1&&i<=d&&this.change({count:i})}} />
      ${_(e,this.config,this.cameras,a=>this.change(a))}
      <label>${e("card.editor.cameras")}</label>
      ${(this.cameras?.devices??[]).flatMap(a=>a.cameras.map(i=>{let t=`${a.device_id}/${i.camera_id}`;return o`<div><label><input type="checkbox" .checked=${this.config.cameras.includes(t)}
            @change=${r=>this.toggleCamera(t,r.target.checked)} />
            ${i.name||i.camera_id} (${a.agent_name})</label></div>`}))}
    </div>`}};c([h({attribute:!1})],l.prototype,"hass",2),c([m()],l.prototype,"config",2),c([m()],l.prototype,"cameras",2);f("e2ee-nvr-clips-card-editor",l);export{l as ClipsCardEditor};

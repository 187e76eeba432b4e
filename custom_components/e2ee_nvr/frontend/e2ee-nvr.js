// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.
import{a as se,b as ie,c as re}from"./chunks/chunk-WODHKRTG.js";import{a as y,b as ae,c as ne,d as oe,e as Y,f as de,g as ce,h as pe,i as he,j as ue}from"./chunks/chunk-DDV3KIYT.js";import{a as te,b as le,c as me,d as ve,e as q,f as fe,g as ge,h as W}from"./chunks/chunk-TU6CTTMA.js";import"./chunks/chunk-DD52KMWH.js";import{C as $e,F as be,a as f,b as s,c as d,d as g,e as c,f as o,i as u,j as p,k as w,l as k,m as F,n as K,o as _,p as b,q as $,r as j}from"./chunks/chunk-MOUCXVRP.js";import"./chunks/chunk-EFYRY5B6.js";import{d as r}from"./chunks/chunk-AWXJPDWP.js";var O=null;function M(){if(O===null){let l=import("./chunks/wired-ops-WPMLCR46.js").then(a=>a.wiredAccountOps);l.catch(()=>{O===l&&(O=null)}),O=l}return O}var _e={createAccount:async(...l)=>(await M()).createAccount(...l),enrolWithPassphrase:async(...l)=>(await M()).enrolWithPassphrase(...l),revokeInstance:async(...l)=>(await M()).revokeInstance(...l),migrateAccount:async(...l)=>(await M()).migrateAccount(...l),openDataKey:async(...l)=>(await M()).openDataKey(...l),pairingSessionId:async(...l)=>(await M()).pairingSessionId(...l),openPairingRequest:async(...l)=>(await M()).openPairingRequest(...l),makePairingGrant:async(...l)=>(await M()).makePairingGrant(...l),verifiedSet:async(...l)=>(await M()).verifiedSet(...l)};te(_e);var Ce=2,Ee=30,Se=8,Le=8,z=class{constructor(a,e,t,i,n={}){this.video=a;this.reader=e;this.mime=t;this.durationSeconds=i;this.events=n;this.source=new MediaSource;this.buffer=null;this.objectUrl="";this.nextChunk=0;this.generation=0;this.tracks=new Map;this.baseTime=0;this.stopped=!1;this.feeding=!1;this.seeking=!1;this.onTimeUpdate=()=>{this.feeding||this.feed()};this.onSeeking=()=>{let a=this.video.currentTime;this.isBuffered(a)||this.seekTo(a).catch(e=>this.fail(e))}}async start(){this.objectUrl=URL.createObjectURL(this.source);let a=new Promise(i=>this.source.addEventListener("sourceopen",()=>i(),{once:!0}));this.video.src=this.objectUrl,await a,this.buffer=this.source.addSourceBuffer(this.mime),this.buffer.mode="segments";let e=[],t=null;for(;t===null&&e.length<Math.min(Le,this.reader.geometry.chunkCount);){let[i]=await this.reader.read(e.length,e.length);if(i===void 0)throw new Error("clip chunk missing");e.push(i);let n=ye(e),h=ae(n);h!==null&&(this.tracks=ne(n.subarray(0,h)),t=Y(n,h,this.tracks))}this.baseTime=t??0,this.buffer.timestampOffset=-this.baseTime,this.durationSeconds>0&&(this.source.duration=this.durationSeconds);for(let i of e)await this.append(i,this.generation);this.nextChunk=e.length,this.events.onFirstChunk?.(),this.video.addEventListener("seeking",this.onSeeking),this.video.addEventListener("timeupdate",this.onTimeUpdate),this.feed()}stop(){this.stopped=!0,this.generation++,this.video.removeEventListener("seeking",this.onSeeking),this.video.removeEventListener("timeupdate",this.onTimeUpdate),this.video.removeAttribute("src"),this.video.load(),this.objectUrl!==""&&URL.revokeObjectURL(this.objectUrl)}isBuffered(a){let e=this.buffer?.buffered;if(e===void 0)return!1;for(let t=0;t<e.length;t++)if(e.start(t)<=a+.1&&a<e.end(t))return!0;return!1}bufferedAhead(){let a=this.buffer?.buffered,e=this.video.currentTime;if(a===void 0)return 0;for(let t=0;t<a.length;t++)if(a.start(t)<=e+.1&&e<a.end(t))return a.end(t)-e;return 0}async feed(){if(this.feeding||this.stopped||this.seeking)return;this.feeding=!0;let a=this.generation;try{for(;!this.stopped&&a===this.generation&&this.nextChunk<this.reader.geometry.chunkCount&&!(this.bufferedAhead()>(this.events.bufferAheadSeconds??Ee));){let e=this.nextChunk,t=Math.min(e+Ce,this.reader.geometry.chunkCount)-1,i=await this.reader.read(e,t);if(a!==this.generation)break;for(let n of i)await this.append(n,a);if(a!==this.generation)break;this.nextChunk=t+1}a===this.generation&&this.nextChunk>=this.reader.geometry.chunkCount&&this.endOfStream()}catch(e){a===this.generation&&this.fail(e)}finally{this.feeding=!1}a!==this.generation&&!this.stopped&&this.feed()}async seekTo(a){this.seeking=!0;try{await this.seekAndAppend(a,++this.generation)}finally{this.seeking=!1}this.feed()}async seekAndAppend(a,e){let t=this.reader.geometry,i=le(t,a,this.durationSeconds),n=null;for(let v=0;v<Se;v++){let m=Math.min(i+1,t.chunkCount-1),xe=await this.reader.read(i,m);if(e!==this.generation)return;let G=ye(xe),N=oe(G),ee=N===null?null:Y(G,N,this.tracks);if(N!==null&&ee!==null&&(n={index:i,last:m,offset:N,data:G},ee-this.baseTime<=a+.05||i===0)||i===0)break;i=Math.max(0,i-Math.max(1,Math.ceil(i*.1)))}if(n===null)return;let h=this.buffer;h!==null&&(await this.waitIdle(),e===this.generation&&(this.source.readyState==="open"&&h.abort(),h.timestampOffset=-this.baseTime,await this.append(n.data.subarray(n.offset),e),this.nextChunk=n.last+1))}waitIdle(){let a=this.buffer;return a===null||!a.updating?Promise.resolve():new Promise(e=>a.addEventListener("updateend",()=>e(),{once:!0}))}async append(a,e){let t=this.buffer;t===null||this.stopped||(await this.waitIdle(),e===this.generation&&await new Promise((i,n)=>{let h=()=>{t.removeEventListener("error",v),i()},v=()=>{t.removeEventListener("updateend",h),n(new Error("the browser refused the video data"))};t.addEventListener("updateend",h,{once:!0}),t.addEventListener("error",v,{once:!0}),t.appendBuffer(new Uint8Array(a))}))}endOfStream(){this.source.readyState==="open"&&this.buffer!==null&&!this.buffer.updating&&this.source.endOfStream()}fail(a){this.events.onError?.(a)}};function ye(l){let a=new Uint8Array(l.reduce((t,i)=>t+i.length,0)),e=0;for(let t of l)a.set(t,e),e+=t.length;return a}var I=class extends g{constructor(){super(...arguments);this.message="";this.loading=!0;this.player=null;this.started=""}static{this.styles=f`
    :host {
      display: block;
      position: relative;
    }
    video {
      width: 100%;
      max-height: 70vh;
      background: #000;
      border-radius: 8px;
      display: block;
    }
    .note {
      padding: 16px;
      background: var(--secondary-background-color, #eee);
      border-radius: 8px;
      color: var(--primary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
  `}disconnectedCallback(){super.disconnectedCallback(),this.player?.stop(),this.player=null,this.started=""}updated(){this.clipId!==this.started&&this.opener!==void 0&&(this.started=this.clipId,this.play(this.clipId))}async play(e){let t=p(this.hass);this.player?.stop(),this.player=null,this.message="",this.loading=!0;try{let i=await this.opener.open(e),n=this.opener.playability(i);if(!n.playable){this.message=t(`player.${n.reason.replace("-","_")}`,{mime:n.mime}),this.loading=!1;return}await this.updateComplete;let h=this.renderRoot.querySelector("video");if(h===null||e!==this.clipId)return;let v=(i.manifest.endMs-i.manifest.startMs)/1e3;this.player=new z(h,this.opener.reader(e,i),n.mime,v,{onError:m=>this.message=w(t,m),onFirstChunk:()=>{this.loading=!1,h.play().catch(()=>{})}}),await this.player.start()}catch(i){this.loading=!1,this.message=w(t,i)}}render(){let e=p(this.hass),t=this.message!==""&&this.player===null;return s`${t?d:s`<video controls muted playsinline data-clip-id=${this.clipId}></video>`}
      ${this.loading?s`<div class="note">${e("player.loading")}</div>`:d}
      ${this.message===""?d:s`<div class="note error" role="alert">${this.message}</div>`}`}};r([c({attribute:!1})],I.prototype,"hass",2),r([c({attribute:!1})],I.prototype,"opener",2),r([c({attribute:"clip-id"})],I.prototype,"clipId",2),r([o()],I.prototype,"message",2),r([o()],I.prototype,"loading",2);u("e2ee-nvr-clip-player",I);var C=class extends g{constructor(){super(...arguments);this.row=null;this.full=!1;this.facts=null;this.failure="";this.loaded="";this.observer=null}static{this.styles=[j,f`
      :host {
        display: block;
        font-size: 0.85rem;
      }
      .mismatch {
        margin-top: 4px;
        padding: 4px 6px;
        border-radius: 6px;
        border: 2px solid var(--error-color, #db4437);
        color: var(--error-color, #db4437);
        font-weight: 600;
      }
      .muted {
        color: var(--secondary-text-color);
      }
      ul {
        margin: 4px 0;
        padding-left: 18px;
      }
    `]}connectedCallback(){super.connectedCallback(),this.observer=new IntersectionObserver(e=>{e.some(t=>t.isIntersecting)&&(this.observer?.disconnect(),this.observer=null,this.requestUpdate())}),this.full?this.observer=null:this.observer.observe(this)}disconnectedCallback(){super.disconnectedCallback(),this.observer?.disconnect()}updated(){this.observer!==null||this.opener===void 0||this.clipId===this.loaded||(this.loaded=this.clipId,this.load(this.clipId))}async load(e){this.facts=null,this.failure="";try{let t=await this.opener.facts(e,this.row);e===this.clipId&&(this.facts=t)}catch(t){e===this.clipId&&(this.failure=w(p(this.hass),t))}}describe(e){let t=p(this.hass),i=v=>F(Number(v),this.hass),n=v=>t("clips.duration",{seconds:Math.round(Number(v)/1e3)}),h=e.field==="start"?{index:i(e.index),signed:i(e.signed)}:e.field==="duration"?{index:n(e.index),signed:n(e.signed)}:e.field==="camera"?{index:e.index.split("/")[1]??e.index,signed:this.facts?.cameraName??e.signed}:{index:e.index,signed:e.signed||"-"};return t(`clips.disagree_${e.field}`,h)}renderWithheld(e){if(e.withheld===null)return d;let t=p(this.hass),i=e.withheld.name==="RevocationWithheld"?"clips.withheld":"clips.withheld_rolled_back";return s`<div class="mismatch" role="alert" data-withheld=${e.withheld.name}>⚠ ${t(i,{camera:e.cameraName})}
      ${this.full?s`<div class="muted">${e.withheld.detail}</div>`:d}</div>`}renderMismatch(e){if(e.disagreements.length===0)return d;let t=p(this.hass),i=e.disagreements.map(n=>n.field).join(",");return this.full?s`<div class="mismatch" data-mismatch=${i}>⚠ ${t("clips.disagreement_title")}
      <ul>${e.disagreements.map(n=>s`<li>${this.describe(n)}</li>`)}</ul></div>`:s`<div class="mismatch" data-mismatch=${i}>⚠ ${t("clips.disagreement_short",{fields:i.replaceAll(",",", ")})}</div>`}render(){let e=p(this.hass);if(this.failure!=="")return this.full?s`<div class="mismatch" data-unverified>${e("clips.facts_failed",{detail:this.failure})}</div>`:s`<div class="mismatch" data-unverified title=${this.failure}>${e("clips.unverified")}</div>`;let t=this.facts;if(t===null)return s`<span class="muted">${e("clips.verifying")}</span>`;let i=t.cameraNamePinned?t.cameraName:e("clips.camera_unpinned",{camera:t.cameraId}),n=Math.round((t.endMs-t.startMs)/1e3);return s`<div class="signed" data-signed-camera=${t.cameraName} data-signed-camera-id=${t.cameraId}
        data-signed-start=${t.startMs} data-signed-end=${t.endMs} data-signed-events=${t.eventKinds.join(",")}
        title=${e("clips.signed_by_camera")}>
        <div><strong>${i}</strong></div>
        <div>${F(t.startMs,this.hass)} · ${e("clips.duration",{seconds:n})}</div>
        <div>${t.eventKinds.map(h=>s`<span class="chip">${h}</span>`)}</div>
        ${this.full&&t.events.length>0?s`<ul class="events">${t.events.map(h=>s`<li>${e("clips.event_detail",{kind:h.kind,time:K(h.startMs,this.hass),source:h.source})}</li>`)}</ul>`:d}
      </div>
      ${this.renderWithheld(t)}
      ${this.renderMismatch(t)}`}};r([c({attribute:!1})],C.prototype,"hass",2),r([c({attribute:!1})],C.prototype,"opener",2),r([c({attribute:!1})],C.prototype,"row",2),r([c({attribute:"clip-id"})],C.prototype,"clipId",2),r([c({type:Boolean})],C.prototype,"full",2),r([o()],C.prototype,"facts",2),r([o()],C.prototype,"failure",2);u("e2ee-nvr-clip-facts",C);var A=class extends g{constructor(){super(...arguments);this.failedText="";this.url="";this.failed=!1;this.observer=null}static{this.styles=f`
    :host {
      display: block;
      aspect-ratio: 16 / 9;
      background: var(--secondary-background-color, #eee);
      border-radius: 8px;
      overflow: hidden;
    }
    img {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    .note {
      font-size: 0.8rem;
      color: var(--secondary-text-color);
      padding: 8px;
    }
  `}connectedCallback(){super.connectedCallback(),this.observer=new IntersectionObserver(e=>{e.some(t=>t.isIntersecting)&&(this.observer?.disconnect(),this.load())}),this.observer.observe(this)}disconnectedCallback(){super.disconnectedCallback(),this.observer?.disconnect()}async load(){try{this.url=await this.opener.thumbnailUrl(this.clipId)}catch{this.failed=!0}}render(){return this.failed?s`<div class="note">${this.failedText}</div>`:this.url===""?s``:s`<img src=${this.url} alt="" />`}};r([c({attribute:!1})],A.prototype,"opener",2),r([c({attribute:"clip-id"})],A.prototype,"clipId",2),r([c({attribute:"failed-text"})],A.prototype,"failedText",2),r([o()],A.prototype,"url",2),r([o()],A.prototype,"failed",2);u("e2ee-nvr-clip-thumb",A);var E=class extends g{constructor(){super(...arguments);this.label="";this.question="";this.yes="OK";this.no="Cancel";this.danger=!1;this.disabled=!1;this.asking=!1}static{this.styles=$}confirm(){this.asking=!1,this.dispatchEvent(new CustomEvent("confirmed"))}render(){return this.asking?s`<div role="alertdialog">
      ${this.question===""?d:s`<p>${this.question}</p>`}
      <div class="row">
        <button @click=${()=>this.asking=!1}>${this.no}</button>
        <button class=${this.danger?"danger primary":"primary"} @click=${()=>this.confirm()}>${this.yes}</button>
      </div>
    </div>`:s`<button class=${this.danger?"danger":""} ?disabled=${this.disabled} @click=${()=>this.asking=!0}>${this.label}</button>`}};r([c()],E.prototype,"label",2),r([c()],E.prototype,"question",2),r([c()],E.prototype,"yes",2),r([c()],E.prototype,"no",2),r([c({type:Boolean})],E.prototype,"danger",2),r([c({type:Boolean})],E.prototype,"disabled",2),r([o()],E.prototype,"asking",2);u("e2ee-nvr-confirm-button",E);async function we(l){if(l.enrolled===null||l.signedSet===null)return[];let a=l.clips(),e=[],{devices:t}=await l.cameras();for(let i of t)for(let n of i.cameras){let v=(await l.api.clipsList({deviceId:i.device_id,cameraId:n.camera_id},1,null)).clips[0];if(v!==void 0)try{let m=await a.facts(v.clip_id,v);m.withheld!==null&&e.push({cameraKey:`${m.deviceId}/${m.cameraId}`,cameraName:m.cameraName,clipId:m.clipId,...m.withheld})}catch{}}return e}var x=class extends y{constructor(){super(...arguments);this.wide=!1;this.linkedClip=null;this.clips=[];this.names=new Map;this.filter=de;this.selected=null;this.exhausted=!1;this.progress=-1;this.withheld=[];this.feed=null;this.observer=null;this.knownEvents=[]}static{this.styles=[$,j,f`
      .filters select,
      .filters input {
        min-width: 140px;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 16px;
      }
      :host([wide]) .layout.playing {
        grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      }
      .player {
        position: sticky;
        top: 8px;
        align-self: start;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
        gap: 12px;
      }
      .tile {
        border: 2px solid transparent;
        border-radius: 10px;
        padding: 2px;
        cursor: pointer;
        background: none;
        color: inherit;
        text-align: left;
      }
      .tile.selected {
        border-color: var(--primary-color, #03a9f4);
      }
      .tile .meta {
        font-size: 0.85rem;
        padding: 4px 2px;
      }
      .sentinel {
        height: 1px;
      }
    `]}connectedCallback(){super.connectedCallback(),this.feed=new ue(this.session.api),Promise.all([this.session.cameras(),this.session.pinnedCameraNames()]).then(([e,t])=>this.names=new Map([...ce(e),...t]),()=>{}),this.more(),we(this.session).then(e=>this.withheld=e,()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.observer?.disconnect()}willUpdate(e){e.has("linkedClip")&&this.linkedClip!==null&&this.openLinked(this.linkedClip)}async openLinked(e){try{this.selected=(await this.session.api.clipManifest(e)).clip}catch(t){this.showError(t)}}firstUpdated(){this.observer=new IntersectionObserver(t=>{t.some(i=>i.isIntersecting)&&this.more()});let e=this.renderRoot.querySelector(".sentinel");e!==null&&this.observer.observe(e)}async more(){let e=this.feed;if(e!==null){try{await e.loadMore()}catch(t){this.showError(t)}this.clips=e.clips,this.exhausted=e.exhausted,this.knownEvents=[...new Set([...this.knownEvents,...he(e.clips)])].sort()}}setFilter(e){this.filter={...this.filter,...e},this.feed?.reset(this.filter),this.clips=[],this.more()}async download(e){this.progress=0;try{let t=this.session.clips(),i=await t.facts(e.clip_id,e),n=await t.download(e.clip_id,(h,v)=>{this.progress=Math.floor(100*h/Math.max(1,v))});ve(n,me(i.cameraName,i.startMs))}catch(t){this.showError(t)}finally{this.progress=-1}}async deleteClip(e){try{await this.session.api.clipsDelete([e.clip_id]),this.feed?.remove([e.clip_id]),this.session.clips().forget([e.clip_id]),this.clips=this.feed?.clips??[],this.selected?.clip_id===e.clip_id&&(this.selected=null)}catch(t){this.showError(t)}}renderFilters(){let e=p(this.hass);return s`<div class="row filters">
      <label>${e("clips.filter_camera")}
        <select @change=${t=>this.setFilter({camera:t.target.value})}>
          <option value="">${e("clips.all")}</option>
          ${[...this.names].map(([t,i])=>s`<option value=${t} ?selected=${this.filter.camera===t}>${i}</option>`)}
        </select></label>
      <label>${e("clips.filter_event")}
        <select @change=${t=>this.setFilter({event:t.target.value})}>
          <option value="">${e("clips.all")}</option>
          ${this.knownEvents.map(t=>s`<option value=${t} ?selected=${this.filter.event===t}>${t}</option>`)}
        </select></label>
      <label>${e("clips.filter_day")}
        <input type="date" .value=${this.filter.day} @change=${t=>this.setFilter({day:t.target.value})} /></label>
    </div>`}renderPlayer(e){let t=p(this.hass);return s`<div class="player card" data-screen="player">
      <e2ee-nvr-clip-player .hass=${this.hass} .opener=${this.session.clips()} clip-id=${e.clip_id}></e2ee-nvr-clip-player>
      <e2ee-nvr-clip-facts full data-facts="player" .hass=${this.hass} .opener=${this.session.clips()} .row=${e}
        clip-id=${e.clip_id}></e2ee-nvr-clip-facts>
      <div class="row" style="margin-top:8px">
        <span class="spacer"></span>
        <button ?disabled=${this.progress>=0} @click=${()=>{this.download(e)}}>
          ${this.progress>=0?t("clips.downloading",{percent:this.progress}):t("clips.download")}</button>
        ${k(this.hass)?s`<e2ee-nvr-confirm-button danger label=${t("clips.delete")} yes=${t("clips.delete")} no=${t("app.cancel")}
              question=${t("clips.delete_confirm")} @confirmed=${()=>{this.deleteClip(e)}}></e2ee-nvr-confirm-button>`:d}
        <button @click=${()=>this.selected=null}>${t("app.close")}</button>
      </div>
    </div>`}render(){let e=p(this.hass),t=pe(this.clips,this.names);return s`<div class="card" data-screen="clips">
      ${this.renderFilters()}
      ${b(this.message)}
      ${this.withheld.map(i=>s`<p class="error" role="alert" data-withheld-camera=${i.cameraKey}>
          ⚠ ${e(i.name==="RevocationWithheld"?"clips.withheld":"clips.withheld_rolled_back",{camera:i.cameraName})}</p>`)}
    </div>
    <div class="layout ${this.selected===null?"":"playing"}">
      ${this.selected===null||this.wide?d:this.renderPlayer(this.selected)}
      <div>
        ${t.map(i=>s`<h3>${i.day} · ${i.cameraName}</h3>
            <div class="grid">
              ${i.clips.map(n=>s`<button class="tile ${this.selected?.clip_id===n.clip_id?"selected":""}"
                  data-clip-id=${n.clip_id} @click=${()=>this.selected=n} aria-label=${e("clips.play")}>
                  <e2ee-nvr-clip-thumb .opener=${this.session.clips()} clip-id=${n.clip_id} failed-text=${e("clips.thumbnail_failed")}></e2ee-nvr-clip-thumb>
                  <e2ee-nvr-clip-facts class="meta" .hass=${this.hass} .opener=${this.session.clips()} .row=${n}
                    clip-id=${n.clip_id}></e2ee-nvr-clip-facts>
                </button>`)}
            </div>`)}
        ${this.clips.length===0&&this.exhausted?s`<p class="muted">${e("clips.empty")}</p>`:d}
        <div class="sentinel"></div>
        ${this.exhausted?this.clips.length>0?s`<p class="muted">${e("clips.end")}</p>`:d:s`<button @click=${()=>{this.more()}}>${e("clips.more")}</button>`}
      </div>
      ${this.selected!==null&&this.wide?this.renderPlayer(this.selected):d}
    </div>`}};r([c({type:Boolean,reflect:!0})],x.prototype,"wide",2),r([c({attribute:!1})],x.prototype,"linkedClip",2),r([o()],x.prototype,"clips",2),r([o()],x.prototype,"names",2),r([o()],x.prototype,"filter",2),r([o()],x.prototype,"selected",2),r([o()],x.prototype,"exhausted",2),r([o()],x.prototype,"progress",2),r([o()],x.prototype,"withheld",2);u("e2ee-nvr-clips-view",x);var S=class extends g{constructor(){super(...arguments);this.action="";this.busy=!1;this.disabled=!1;this.message="";this.cancellable=!0;this.typed=""}static{this.styles=$}clear(){this.typed=""}submit(e){e.preventDefault(),!(this.busy||this.disabled||this.typed.trim()==="")&&this.dispatchEvent(new CustomEvent("passphrase",{detail:this.typed}))}render(){let e=p(this.hass);return s`<form role="dialog" aria-label=${e("passphrase.title")} data-passphrase-dialog @submit=${t=>this.submit(t)}>
      <p class="muted">${e("passphrase.why")}</p>
      <label for="passphrase">${e("passphrase.label")}</label>
      <textarea id="passphrase" rows="3" style="width:100%" autocomplete="off" autocapitalize="none" spellcheck="false"
        .value=${this.typed} @input=${t=>this.typed=t.target.value}></textarea>
      ${this.busy?s`<p class="muted">${e("passphrase.working")}</p>`:d}
      ${b(this.message)}
      <div class="row"><span class="spacer"></span>
        ${this.cancellable?s`<button type="button" ?disabled=${this.busy} @click=${()=>this.dispatchEvent(new CustomEvent("cancel"))}>${e("app.cancel")}</button>`:d}
        <button class="primary" type="submit" ?disabled=${this.busy||this.disabled||this.typed.trim()===""}>${this.action}</button>
      </div>
    </form>`}};r([c({attribute:!1})],S.prototype,"hass",2),r([c()],S.prototype,"action",2),r([c({type:Boolean})],S.prototype,"busy",2),r([c({type:Boolean})],S.prototype,"disabled",2),r([c()],S.prototype,"message",2),r([c({type:Boolean})],S.prototype,"cancellable",2),r([o()],S.prototype,"typed",2);u("e2ee-nvr-passphrase-prompt",S);var P=class extends y{constructor(){super(...arguments);this.cameras=null;this.editing="";this.draft="";this.revoking="";this.promptMessage=""}static{this.styles=[$,f`
      .dot {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 50%;
        margin-right: 6px;
        background: var(--error-color, #db4437);
      }
      .dot.on {
        background: var(--success-color, #43a047);
      }
      .camera {
        margin: 8px 0 0 16px;
      }
    `]}async revoke(e,t){this.busy=!0,this.promptMessage="";try{await this.session.revoke(e,t),this.revoking="",_(this),await this.load()}catch(i){this.promptMessage=w(p(this.hass),i)}finally{this.busy=!1}}connectedCallback(){super.connectedCallback(),this.load()}async load(){try{this.cameras=await this.session.cameras()}catch(e){this.showError(e)}}async act(e,t=!1){this.message="";try{await e(),t&&_(this),await this.load()}catch(i){this.showError(i)}}renderBrowser(e,t){let i=p(this.hass),n=this.session.enrolled?.instance.keyId,h=t?.name||i("devices.unnamed",{key:e.slice(0,8)});return s`<li class="row" style="flex-wrap:wrap" data-key-id=${e} data-signed="1">
      <div>
        <div>${h} ${e===n?s`<span class="muted">(${i("devices.this_browser")})</span>`:d}</div>
        <div class="muted">${e}</div>
        ${t===void 0?s`<div class="error">${i("devices.not_listed_by_ha")}</div>`:d}
        ${t?.enrolled_at===null||t===void 0?d:s`<div class="muted">${i("devices.enrolled_at",{date:F(t.enrolled_at*1e3,this.hass)})}</div>`}
        ${t?.last_seen===null||t?.last_seen===void 0?d:s`<div class="muted">${i("devices.browser_last_seen",{date:F(t.last_seen*1e3,this.hass)})}</div>`}
      </div>
      <span class="spacer"></span>
      ${!k(this.hass)||this.revoking===e?d:e===n&&this.session.accountVersion===2?s`<span class="muted">${i("devices.revoke_self_v2")}</span>`:s`<e2ee-nvr-confirm-button danger label=${i("devices.revoke")} yes=${i("devices.revoke")} no=${i("app.cancel")}
              question=${i("devices.revoke_confirm",{name:h})+(e===n?` ${i("devices.revoke_self")}`:"")}
              @confirmed=${()=>{this.revoking=e,this.promptMessage=""}}></e2ee-nvr-confirm-button>`}
      ${this.revoking===e?s`<div style="flex-basis:100%">
            <p>${i("devices.revoke_passphrase",{name:h})}</p>
            <e2ee-nvr-passphrase-prompt .hass=${this.hass} action=${i("devices.revoke")} ?busy=${this.busy} message=${this.promptMessage}
              @passphrase=${v=>{this.revoke(e,v.detail)}}
              @cancel=${()=>this.revoking=""}></e2ee-nvr-passphrase-prompt>
          </div>`:d}
    </li>`}renderBrowsers(){let e=p(this.hass),t=new Map((this.session.account?.instances??[]).map(m=>[m.key_id,m])),i=this.session.signedSet,n=(i?.members??[]).filter(m=>m.role==="instance").map(m=>m.keyId),h=new Set(n),v=[...t.values()].filter(m=>!h.has(m.key_id));return s`<div class="card" data-screen="devices">
      <h2>${e("devices.browsers_title")}</h2>
      <p class="muted">${e("devices.browsers_help")}</p>
      ${i!==null?s`<p class="muted">${e("devices.signed_help",{epoch:i.epoch})}</p>`:this.session.setProblem===null?s`<p class="muted">${e("app.loading")}</p>`:s`<p class="error" role="alert" data-set-problem>${e("devices.set_problem",{detail:w(e,this.session.setProblem)})}</p>`}
      <ul class="plain">
        ${n.map(m=>this.renderBrowser(m,t.get(m)))}
      </ul>
      ${i===null||v.length===0?d:s`<p class="error" data-unsigned-browsers>${e("devices.ha_only_title")}</p>
            <ul class="plain">${v.map(m=>s`<li data-unsigned-key-id=${m.key_id}>${m.name||m.key_id}</li>`)}</ul>`}
    </div>`}renderDevice(e){let t=p(this.hass),i=k(this.hass),n=e.last_seen===null?t("devices.never_seen"):t("devices.last_seen",{date:F(e.last_seen*1e3,this.hass)});return s`<li data-device-id=${e.device_id}>
      <div class="row">
        <span><span class="dot ${e.connected?"on":""}"></span>${e.agent_name}</span>
        <span class="muted">${e.connected?t("devices.online"):t("devices.offline")} · ${n}</span>
        <span class="spacer"></span>
        ${i?s`<e2ee-nvr-confirm-button danger label=${t("devices.unpair")} yes=${t("devices.unpair")} no=${t("app.cancel")}
              question=${t("devices.unpair_confirm",{name:e.agent_name})}
              @confirmed=${()=>{this.act(()=>this.session.api.cameraUnpair(e.device_id))}}></e2ee-nvr-confirm-button>`:d}
      </div>
      ${e.cameras.map(h=>{let v=`${e.device_id}/${h.camera_id}`;return s`<div class="camera row">
          ${this.editing===v?s`<input maxlength="64" .value=${this.draft} @input=${m=>this.draft=m.target.value} />
                <button class="primary" ?disabled=${this.draft.trim()===""}
                  @click=${()=>{this.act(async()=>{await this.session.renameCamera(e.device_id,h.camera_id,this.draft.trim()),this.editing=""})}}>${t("devices.save")}</button>
                <button @click=${()=>this.editing=""}>${t("app.cancel")}</button>`:s`<span>${h.name||h.camera_id}</span>
                <span class="muted">${t("devices.clips",{count:h.clip_count})}</span>
                <span class="spacer"></span>
                ${i?s`<button @click=${()=>{this.editing=v,this.draft=h.name}}>${t("devices.rename")}</button>`:d}`}
        </div>`})}
    </li>`}render(){let e=p(this.hass);return s`${b(this.message)}
      ${this.renderBrowsers()}
      <div class="card">
        <h2>${e("devices.cameras_title")}</h2>
        ${this.cameras===null?s`<p class="muted">${e("app.loading")}</p>`:this.cameras.devices.length===0?s`<p class="muted">${e("devices.no_cameras")}</p>`:s`<ul class="plain">${this.cameras.devices.map(t=>this.renderDevice(t))}</ul>`}
      </div>`}};r([o()],P.prototype,"cameras",2),r([o()],P.prototype,"editing",2),r([o()],P.prototype,"draft",2),r([o()],P.prototype,"revoking",2),r([o()],P.prototype,"promptMessage",2);u("e2ee-nvr-devices-view",P);var U=class extends y{constructor(){super(...arguments);this.revoked=!1;this.typed="";this.name=q();this.waitSeconds=0}connectedCallback(){super.connectedCallback(),this.timer=setInterval(()=>this.tick(),1e3),this.tick()}disconnectedCallback(){super.disconnectedCallback(),clearInterval(this.timer),this.typed=""}tick(){this.waitSeconds=Math.ceil((this.session?.limiter.waitMs()??0)/1e3)}async submit(e){e.preventDefault(),!(this.busy||this.waitSeconds>0)&&(await this.attempt(async()=>{await this.session.enrol(this.typed,this.name.trim().slice(0,64)),this.typed="",_(this)}),this.tick())}render(){let e=p(this.hass);return k(this.hass)?s`<form class="card" data-screen="enrol" @submit=${t=>{this.submit(t)}}>
      <h2>${e("enrol.title")}</h2>
      ${this.revoked?s`<p class="warning">${e("enrol.revoked")}</p>`:d}
      <p>${e("enrol.help")}</p>
      <label for="passphrase">${e("enrol.label")}</label>
      <textarea id="passphrase" rows="3" style="width:100%" autocomplete="off" autocapitalize="none" spellcheck="false"
        .value=${this.typed} @input=${t=>this.typed=t.target.value}></textarea>
      <label for="name">${e("enrol.name_label")}</label>
      <input id="name" maxlength="64" style="width:100%" .value=${this.name}
        @input=${t=>this.name=t.target.value} />
      ${this.busy?s`<p class="muted">${e("enrol.working")}</p>`:d}
      ${b(this.message)}
      ${this.waitSeconds>0?s`<p class="error">${e("enrol.wait",{seconds:this.waitSeconds})}</p>`:d}
      <div class="row"><span class="spacer"></span>
        <button class="primary" type="submit" ?disabled=${this.busy||this.waitSeconds>0||this.typed.trim()===""}>${e("enrol.submit")}</button>
      </div>
    </form>`:s`<div class="card" data-screen="enrol"><h2>${e("enrol.title")}</h2><p>${e("enrol.not_admin")}</p></div>`}};r([c({type:Boolean})],U.prototype,"revoked",2),r([o()],U.prototype,"typed",2),r([o()],U.prototype,"name",2),r([o()],U.prototype,"waitSeconds",2);u("e2ee-nvr-enrol-view",U);var X=class extends g{static{this.styles=$}render(){let a=p(this.hass);return s`<div class="card" data-screen="insecure">
      <h2>${a("insecure.title")}</h2>
      <p>${a("insecure.body",{origin:this.report.origin})}</p>
      <h3>${a("insecure.options_title")}</h3>
      <ul>
        <li>${a("insecure.option_https",{https:this.report.httpsOrigin})}</li>
        <li>${a("insecure.option_cloud")}</li>
        <li>${a("insecure.option_local")}</li>
      </ul>
      <p class="muted">${a("insecure.why")}</p>
    </div>`}};r([c({attribute:!1})],X.prototype,"hass",2),r([c({attribute:!1})],X.prototype,"report",2);u("e2ee-nvr-insecure-view",X);var H=class extends y{constructor(){super(...arguments);this.linkedCode=null;this.pending=null;this.code="";this.success=""}connectedCallback(){super.connectedCallback(),this.load()}willUpdate(e){e.has("linkedCode")&&this.linkedCode!==null&&(this.code=this.linkedCode)}async load(){try{this.pending=await this.session.pendingPairings()}catch(e){this.showError(e)}}async submit(e){let t=p(this.hass);this.success="",await this.attempt(async()=>{let i=await this.session.pair(this.code,e);this.success=t("pair.success",{agent:i.agentName,cameras:i.cameras.join(", ")}),this.code="",this.renderRoot.querySelector("e2ee-nvr-passphrase-prompt")?.clear()}),await this.load()}async refuse(e){try{await this.session.api.pairingRefuse(e)}catch(t){this.showError(t)}await this.load()}render(){let e=p(this.hass);return s`<div class="card" data-screen="pair">
        <h2>${e("pair.title")}</h2>
        <p>${e("pair.help")}</p>
        <label for="code">${e("pair.code_label")}</label>
        <input id="code" style="width:100%;font-family:var(--code-font-family,monospace);text-transform:uppercase"
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX" autocomplete="off" autocapitalize="characters" spellcheck="false"
          .value=${this.code} @input=${t=>this.code=se(t.target.value)} />
        <p class="muted">${e("pair.passphrase_help")}</p>
        <e2ee-nvr-passphrase-prompt .hass=${this.hass} action=${e("pair.submit")} ?busy=${this.busy} ?disabled=${this.code.trim()===""}
          .cancellable=${!1} @passphrase=${t=>{this.submit(t.detail)}}></e2ee-nvr-passphrase-prompt>
        ${this.busy?s`<p class="muted">${e("pair.working")}</p>`:d}
        ${b(this.message)}
        ${this.success===""?d:s`<p class="success" role="status">${this.success}</p>`}
      </div>
      <div class="card">
        <div class="row"><h2>${e("pair.pending_title")}</h2><span class="spacer"></span>
          <button @click=${()=>{this.load()}}>${e("pair.refresh")}</button></div>
        ${this.pending===null?s`<p class="muted">${e("app.loading")}</p>`:this.pending.length===0?s`<p class="muted">${e("pair.none_pending")}</p>`:s`<ul class="plain">
                ${this.pending.map(t=>s`<li class="row" data-session-id=${t.session_id}>
                    <div>
                      <div>${t.agent_name}</div>
                      <div class="muted">${t.cameras.map(i=>i.name||i.camera_id).join(", ")} · ${e("pair.expires",{time:K(t.expires_at*1e3,this.hass)})}</div>
                    </div>
                    <span class="spacer"></span>
                    <e2ee-nvr-confirm-button danger label=${e("pair.refuse")} yes=${e("pair.refuse")} no=${e("app.cancel")}
                      @confirmed=${()=>{this.refuse(t.session_id)}}></e2ee-nvr-confirm-button>
                  </li>`)}
              </ul>`}
      </div>`}};r([c({attribute:!1})],H.prototype,"linkedCode",2),r([o()],H.prototype,"pending",2),r([o()],H.prototype,"code",2),r([o()],H.prototype,"success",2);u("e2ee-nvr-pair-view",H);var B=class extends y{constructor(){super(...arguments);this.typed="";this.deleteClips=!1}async submit(e){e.preventDefault(),await this.attempt(async()=>{await this.session.turnOff(this.deleteClips),_(this)})}render(){let e=p(this.hass),t=e("turn_off.phrase"),i=this.typed.trim().toLowerCase()===t.toLowerCase();return s`<form class="card" data-screen="turn-off" @submit=${n=>{this.submit(n)}}>
      <h2>${e("turn_off.title")}</h2>
      <p class="warning">${e("turn_off.consequences")}</p>
      <label><input type="checkbox" .checked=${this.deleteClips}
        @change=${n=>this.deleteClips=n.target.checked} /> ${e("turn_off.delete_clips")}</label>
      <label for="phrase">${e("turn_off.type_prompt",{phrase:t})}</label>
      <input id="phrase" autocomplete="off" .value=${this.typed} @input=${n=>this.typed=n.target.value} />
      ${b(this.message)}
      <div class="row"><span class="spacer"></span>
        <button class="danger primary" type="submit" ?disabled=${!i||this.busy}>${e("turn_off.submit")}</button>
      </div>
    </form>`}};r([o()],B.prototype,"typed",2),r([o()],B.prototype,"deleteClips",2);u("e2ee-nvr-turn-off-view",B);var D=["passphrase-key","random-key","keys","certificates","backups","recipients","sending"],R=class extends y{constructor(){super(...arguments);this.stage="explain";this.passphrase="";this.positions=[];this.answers=[];this.step="";this.copied=!1}static{this.styles=[$,f`
      ol.words {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
        gap: 8px;
        padding: 0;
        list-style: none;
        font-family: var(--code-font-family, monospace);
        font-size: 1.1rem;
      }
      ol.words li {
        background: var(--secondary-background-color, #f5f5f5);
        border-radius: 8px;
        padding: 8px;
      }
      ol.words .n {
        color: var(--secondary-text-color);
        margin-right: 6px;
      }
      ol.steps li.done {
        color: var(--success-color, #43a047);
      }
      ol.steps li.now {
        font-weight: 500;
      }
      @media print {
        :host * {
          visibility: hidden;
        }
        ol.words,
        ol.words * {
          visibility: visible;
        }
      }
    `]}disconnectedCallback(){super.disconnectedCallback(),this.passphrase=""}async reveal(){this.passphrase=await this.session.newPassphrase(),this.positions=await this.session.confirmPositions(this.passphrase.split(" ").length),this.answers=this.positions.map(()=>""),this.stage="show"}async copy(){await navigator.clipboard?.writeText(this.passphrase),this.copied=!0}confirm(){let e=fe(this.passphrase,this.positions,this.answers);if(e.length>0){this.message=p(this.hass)("turn_on.confirm_wrong",{positions:e.map(t=>t+1).join(", ")});return}this.create()}async create(){this.stage="creating",this.message="";try{await this.session.turnOn(this.passphrase,q(),e=>{this.step=e}),this.passphrase="",this.stage="done",_(this)}catch(e){this.showError(e),this.stage="confirm"}}render(){let e=p(this.hass);switch(this.stage){case"explain":return s`<div class="card" data-screen="turn-on">
          <h2>${e("turn_on.title")}</h2>
          <p>${e("turn_on.intro")}</p>
          <h3>${e("turn_on.sees_title")}</h3>
          <p>${e("turn_on.sees")}</p>
          <h3>${e("turn_on.never_title")}</h3>
          <p>${e("turn_on.never")}</p>
          <div class="warning">
            <h3>${e("turn_on.lost_title")}</h3>
            <p>${e("turn_on.lost")}</p>
          </div>
          <div class="row"><span class="spacer"></span>
            <button class="primary" @click=${()=>{this.reveal()}}>${e("turn_on.accept")}</button>
          </div>
        </div>`;case"show":return s`<div class="card" data-screen="passphrase">
          <h2>${e("turn_on.passphrase_title")}</h2>
          <p>${e("turn_on.passphrase_help")}</p>
          <ol class="words" data-passphrase=${this.passphrase}>
            ${ge(this.passphrase).map(t=>s`<li><span class="n">${t.number}</span>${t.word}</li>`)}
          </ol>
          <div class="row">
            <button @click=${()=>{this.copy()}}>${this.copied?e("turn_on.copied"):e("turn_on.copy")}</button>
            <button @click=${()=>window.print()}>${e("turn_on.print")}</button>
            <span class="spacer"></span>
            <button class="primary" @click=${()=>this.stage="confirm"}>${e("turn_on.written")}</button>
          </div>
        </div>`;case"confirm":return s`<div class="card" data-screen="confirm">
          <h2>${e("turn_on.confirm_title")}</h2>
          <p>${e("turn_on.confirm_help")}</p>
          ${this.positions.map((t,i)=>s`<label for="w${i}">${e("turn_on.word_n",{n:t+1})}</label>
              <input id="w${i}" name="word-${t+1}" autocomplete="off" autocapitalize="none" spellcheck="false"
                .value=${this.answers[i]??""}
                @input=${n=>{let h=[...this.answers];h[i]=n.target.value,this.answers=h}} />`)}
          ${b(this.message)}
          <div class="row">
            <button @click=${()=>this.stage="show"}>${e("app.back")}</button>
            <span class="spacer"></span>
            <button class="primary" @click=${()=>this.confirm()}>${e("turn_on.confirm")}</button>
          </div>
        </div>`;case"creating":{let t=D.indexOf(this.step===""?D[0]??"keys":this.step);return s`<div class="card" data-screen="creating">
          <h2>${e("turn_on.creating_title")}</h2>
          <p>${e("turn_on.creating_help")}</p>
          <progress max=${D.length} value=${t}></progress>
          <ol class="steps">
            ${D.map((i,n)=>s`<li class=${n<t?"done":n===t?"now":""}>${e(`turn_on.step.${i}`)}</li>`)}
          </ol>
        </div>`}case"done":return s`<div class="card" data-screen="turned-on">
          <h2>${e("turn_on.done_title")}</h2>
          <p class="success">${e("turn_on.done")}</p>
        </div>`}}};r([o()],R.prototype,"stage",2),r([o()],R.prototype,"passphrase",2),r([o()],R.prototype,"positions",2),r([o()],R.prototype,"answers",2),r([o()],R.prototype,"step",2),r([o()],R.prototype,"copied",2);u("e2ee-nvr-turn-on-view",R);var J=class extends y{async upgrade(a){await this.attempt(async()=>{await this.session.upgrade(a),_(this)})}render(){let a=p(this.hass);return this.session.accountVersion!==1?d:s`<div class="card" data-screen="upgrade">
      <h2>${a("upgrade.title")}</h2>
      <p>${a("upgrade.help")}</p>
      <p class="warning">${a("upgrade.limit")}</p>
      <e2ee-nvr-passphrase-prompt .hass=${this.hass} action=${a("upgrade.submit")} ?busy=${this.busy} message=${this.message}
        .cancellable=${!1} @passphrase=${e=>{this.upgrade(e.detail)}}></e2ee-nvr-passphrase-prompt>
    </div>`}};u("e2ee-nvr-upgrade-view",J);function Q(l=globalThis){let a=l.isSecureContext!==!1&&l.crypto?.subtle!==void 0,e=l.location?.origin??"",t=l.location?.host??"";return{secure:a,origin:e,httpsOrigin:t===""?"":`https://${t}`}}var L=class extends g{constructor(){super();this.narrow=!1;this.phase="loading";this.message="";this.session=null;this.report=Q();this.linkedClip=re(location.search);this.linkedCode=ie(location.search);this.tab=this.linkedCode!==null?"pair":"clips";this.addEventListener("e2ee-changed",()=>{this.reload()})}static{this.styles=[$,f`
      :host {
        background: var(--primary-background-color, #fafafa);
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 12px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        font-size: 20px;
      }
      nav {
        display: flex;
        gap: 4px;
        overflow-x: auto;
        padding: 8px 12px 0;
        border-bottom: 1px solid var(--divider-color, #e0e0e0);
      }
      nav button {
        border: none;
        border-radius: 0;
        border-bottom: 2px solid transparent;
        color: var(--secondary-text-color);
        white-space: nowrap;
      }
      nav button[aria-selected="true"] {
        color: var(--primary-color, #03a9f4);
        border-bottom-color: var(--primary-color, #03a9f4);
      }
      main {
        padding: 16px;
        max-width: 1400px;
        margin: 0 auto;
      }
      :host([narrow]) main {
        padding: 8px;
      }
    `]}willUpdate(){if(this.hass===void 0)return;if(!this.report.secure){this.phase="insecure";return}let e=this.session===null;this.session=W(this.hass),e&&this.reload()}async reload(){if(this.session!==null){try{await this.session.refresh(),this.session.reportSeen(),this.phase="ready",this.message=""}catch(e){this.phase="error",this.message=w(p(this.hass),e)}this.requestUpdate()}}renderBody(){let e=p(this.hass);if(this.phase==="insecure")return s`<e2ee-nvr-insecure-view .hass=${this.hass} .report=${this.report}></e2ee-nvr-insecure-view>`;if(this.phase==="loading")return s`<p class="muted">${e("app.loading")}</p>`;let t=this.session;if(this.phase==="error"||t===null||t.status===null)return s`<div class="card"><p class="error" role="alert">${this.message}</p>
        <button @click=${()=>{this.reload()}}>${e("app.retry")}</button></div>`;let i=t.status;if(i.kind==="off")return k(this.hass)?s`<e2ee-nvr-turn-on-view .hass=${this.hass} .session=${t}></e2ee-nvr-turn-on-view>`:s`<div class="card" data-screen="off"><h2>${e("off.title")}</h2><p>${e("off.not_admin")}</p></div>`;if(i.kind!=="enrolled")return s`<e2ee-nvr-enrol-view .hass=${this.hass} .session=${t} ?revoked=${i.kind==="revoked"}></e2ee-nvr-enrol-view>`;let n=k(this.hass)&&t.accountVersion===1?s`<e2ee-nvr-upgrade-view .hass=${this.hass} .session=${t}></e2ee-nvr-upgrade-view>`:d;return s`${n}${this.renderTab(t)}`}renderTab(e){switch(!k(this.hass)&&(this.tab==="pair"||this.tab==="settings")?"clips":this.tab){case"live":return import("./chunks/live-elements-CDHCTZ3Z.js").catch(i=>this.message=w(p(this.hass),i)),s`<e2ee-nvr-live-tab .hass=${this.hass} .session=${e}></e2ee-nvr-live-tab>`;case"clips":return s`<e2ee-nvr-clips-view .hass=${this.hass} .session=${e} ?wide=${!this.narrow&&window.innerWidth>900}
          .linkedClip=${this.takeLinkedClip()}></e2ee-nvr-clips-view>`;case"devices":return s`<e2ee-nvr-devices-view .hass=${this.hass} .session=${e}></e2ee-nvr-devices-view>`;case"pair":return s`<e2ee-nvr-pair-view .hass=${this.hass} .session=${e} .linkedCode=${this.takeLinkedCode()}></e2ee-nvr-pair-view>`;case"settings":return s`<e2ee-nvr-turn-off-view .hass=${this.hass} .session=${e}></e2ee-nvr-turn-off-view>`}}takeLinkedClip(){let e=this.linkedClip;return this.linkedClip=null,e}takeLinkedCode(){let e=this.linkedCode;return this.linkedCode=null,e}renderTabs(){if(this.session?.status?.kind!=="enrolled")return d;let e=p(this.hass),t=k(this.hass)?["clips","live","devices","pair","settings"]:["clips","live","devices"];return s`<nav role="tablist">
      ${t.map(i=>s`<button role="tab" data-tab=${i} aria-selected=${this.tab===i?"true":"false"}
          @click=${()=>this.tab=i}>${e(`app.tabs.${i}`)}</button>`)}
    </nav>`}render(){let e=p(this.hass);return s`<header>
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        <span>${e("app.title")}</span>
      </header>
      ${this.renderTabs()}
      <main>${this.renderBody()}</main>`}};r([c({attribute:!1})],L.prototype,"hass",2),r([c({type:Boolean,reflect:!0})],L.prototype,"narrow",2),r([c({attribute:!1})],L.prototype,"route",2),r([c({attribute:!1})],L.prototype,"panel",2),r([o()],L.prototype,"phase",2),r([o()],L.prototype,"message",2),r([o()],L.prototype,"tab",2);u("e2ee-nvr-panel",L);var Me="/e2ee-nvr",T=class T extends g{constructor(){super(...arguments);this.config=T.getStubConfig();this.clips=[];this.state="loading";this.selected="";this.message="";this.session=null}static{this.styles=[$,f`
      .wrap {
        background: var(--ha-card-background, var(--card-background-color, #fff));
        border-radius: var(--ha-card-border-radius, 12px);
        padding: 12px;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(120px, 1fr));
        gap: 8px;
      }
      .tile {
        padding: 0;
        border: none;
        background: none;
        color: inherit;
        text-align: left;
        font-size: 0.8rem;
      }
      a {
        color: var(--primary-color, #03a9f4);
      }
    `]}static async getConfigElement(){return await import("./chunks/clips-card-editor-RG75S4OZ.js"),document.createElement("e2ee-nvr-clips-card-editor")}static getStubConfig(){return{type:"custom:e2ee-nvr-clips-card",title:"Recent clips",cameras:[],count:6,mode:"live",live_camera:""}}setConfig(e){this.config=$e(e),this.session!==null&&this.load()}getCardSize(){return(this.config.mode==="live"?5:2)+Math.ceil(this.config.count/3)}willUpdate(){if(!(this.hass===void 0||this.session!==null)){if(!Q().secure){this.state="insecure";return}this.session=W(this.hass),this.load()}}async load(){let e=this.session;if(e!==null)try{if((e.status??await e.refresh()).kind!=="enrolled"){this.state="unenrolled";return}this.config.mode==="live"&&await import("./chunks/live-elements-CDHCTZ3Z.js"),this.clips=await be(e.api,this.config),this.state="ready"}catch(t){this.message=w(p(this.hass),t)}}render(){let e=p(this.hass),t=this.config.title===""?d:s`<h2>${this.config.title}</h2>`;if(this.state==="insecure"||this.state==="unenrolled")return s`<div class="wrap">${t}<p>${this.state==="insecure"?e("insecure.title"):e("card.not_enrolled")}</p>
        <a href=${Me}>${e("card.open_panel")}</a></div>`;let i=this.session;return s`<div class="wrap">${t}
      ${this.message===""?d:s`<p class="error">${this.message}</p>`}
      ${this.state==="loading"||i===null?s`<p class="muted">${e("app.loading")}</p>`:d}
      ${this.config.mode==="live"&&this.state==="ready"&&i!==null?s`<e2ee-nvr-card-live .hass=${this.hass} .session=${i} .config=${this.config}></e2ee-nvr-card-live>
            <h3>${e("card.latest_clips")}</h3>`:d}
      ${this.selected!==""&&i!==null?s`<e2ee-nvr-clip-player .hass=${this.hass} .opener=${i.clips()} clip-id=${this.selected}></e2ee-nvr-clip-player>`:d}
      ${this.state==="ready"&&this.clips.length===0?s`<p class="muted">${e("card.no_clips")}</p>`:d}
      <div class="grid">
        ${i===null||this.state!=="ready"?d:this.clips.map(n=>s`<button class="tile" data-clip-id=${n.clip_id}
                @click=${()=>this.selected=this.selected===n.clip_id?"":n.clip_id}>
                <e2ee-nvr-clip-thumb .opener=${i.clips()} clip-id=${n.clip_id} failed-text=${e("clips.thumbnail_failed")}></e2ee-nvr-clip-thumb>
                <e2ee-nvr-clip-facts .hass=${this.hass} .opener=${i.clips()} .row=${n} clip-id=${n.clip_id}></e2ee-nvr-clip-facts></button>`)}
      </div></div>`}};r([c({attribute:!1})],T.prototype,"hass",2),r([o()],T.prototype,"config",2),r([o()],T.prototype,"clips",2),r([o()],T.prototype,"state",2),r([o()],T.prototype,"selected",2),r([o()],T.prototype,"message",2);var Z=T;u("e2ee-nvr-clips-card",Z);var V=window;V.customCards??=[];V.customCards.some(l=>l.type==="e2ee-nvr-clips-card")||V.customCards.push({type:"e2ee-nvr-clips-card",name:"E2EE NVR clips",description:"Recent end-to-end encrypted clips, decrypted in this browser.",preview:!1});var Re="__e2eeNvrModuleCopies";function ke(l){let a=globalThis,e=a[Re]??=[];return e.push(l),e.length>1&&console.warn(`E2EE NVR: ${e.length} copies of the module on this page (${e.join(", ")}). Remove any dashboard resource that points at /e2ee_nvr_static/: the integration loads the card itself.`),e}ke(import.meta.url);

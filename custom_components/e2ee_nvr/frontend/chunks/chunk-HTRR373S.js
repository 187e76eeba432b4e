// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.
var h=Object.defineProperty;var i=Object.getOwnPropertyDescriptor;var j=(d,a)=>{for(var c in a)h(d,c,{get:a[c],enumerable:!0})};var k=(d,a,c,e)=>{for(var b=e>1?void 0:e?i(a,c):a,f=d.length-1,g;f>=0;f--)(g=d[f])&&(b=(e?g(a,c,b):g(b))||b);return e&&b&&h(a,c,b),b};export{j as a,k as b};

// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.
import{a,b,c,d,e,f,g,h}from"./chunk-7ELPKYN3.js";import"./chunk-S4F43CDD.js";import"./chunk-E5GY5RAC.js";import"./chunk-SR5RWPT5.js";export{b as FILTERED_WORDLIST_SHA256,c as MAX_TYPED_CHARS,a as SECURITY_BITS,h as canonicalPassphrase,d as filteredWordlist,g as generatePassphrase,f as randomBelow,e as wordCount};

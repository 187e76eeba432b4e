// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.
import{a,b,c,d,e,f,g,h}from"./chunk-NRYAXISD.js";import"./chunk-Y4S254OU.js";import"./chunk-I7YHEWSX.js";import"./chunk-HTRR373S.js";export{b as FILTERED_WORDLIST_SHA256,c as MAX_TYPED_CHARS,a as SECURITY_BITS,h as canonicalPassphrase,d as filteredWordlist,g as generatePassphrase,f as randomBelow,e as wordCount};

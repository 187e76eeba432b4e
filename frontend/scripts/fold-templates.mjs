// An esbuild plugin that folds the white space of Lit's `html` and `css` tagged templates in
// frontend/src before esbuild compiles them. esbuild's minifier keeps template literals to the
// letter, so the shipped bundle carried every indented line of the screens' markup and styles.
//
// Only white space is touched, and only where the browser does not tell it apart:
//   html: a run of white space that holds a line break becomes one space (HTML collapses such a
//         run to one space anyway; no template puts text in <pre> or a <textarea>'s body);
//   css:  every run of white space becomes one space, and none is kept next to { } ; , or after
//         a colon (a space before a colon is kept: `a :hover` is a descendant selector); the
//         last declaration of a block loses its optional semicolon.
// The templates are found by TypeScript's parser, not a pattern, so `${...}` expressions and
// nested templates stay as written. A pure function of the source: the build stays reproducible.

import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SOURCES = join(resolve(dirname(fileURLToPath(import.meta.url)), "..", "src"), "/");

const FOLDERS = { html: foldHtml, css: foldCss };

export function foldHtml(text) {
  return text.replace(/\s*\n\s*/g, " ");
}

export function foldCss(text) {
  return text.replace(/\s+/g, " ").replace(/\s*([{};,])\s*/g, "$1").replace(/:\s+/g, ":").replaceAll(";}", "}");
}

/** The template's literal parts: [start, end) of the text between the delimiters. */
function literalSpans(template, source) {
  const parts = ts.isNoSubstitutionTemplateLiteral(template)
    ? [template]
    : [template.head, ...template.templateSpans.map((span) => span.literal)];
  return parts.map((part) => {
    const start = part.getStart(source) + 1; // after ` or }
    const end = part.getEnd() - (ts.isTemplateTail(part) || ts.isNoSubstitutionTemplateLiteral(part) ? 1 : 2); // before ` or ${
    return [start, end];
  });
}

/** `text` (a TypeScript module) with the white space of its html`` and css`` literals folded. */
export function foldTemplates(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && Object.hasOwn(FOLDERS, node.tag.text)) {
      const fold = FOLDERS[node.tag.text];
      for (const [start, end] of literalSpans(node.template, source)) edits.push([start, end, fold(text.slice(start, end))]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // Literal parts never overlap (a nested template sits inside an expression): splice from the end.
  edits.sort(([a], [b]) => b - a);
  return edits.reduce((out, [start, end, folded]) => out.slice(0, start) + folded + out.slice(end), text);
}

/** The esbuild plugin: our TypeScript sources load folded; dependencies load as they are. */
export const foldTemplatesPlugin = {
  name: "fold-lit-templates",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(SOURCES)) return undefined;
      return { contents: foldTemplates(await readFile(args.path, "utf8"), args.path), loader: "ts" };
    });
  },
};

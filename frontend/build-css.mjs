// Builds src/vib/web/static/vib/css/nlds.css: the NL Design System CSS that VIB's pages use,
// nothing more (ADR 100). Run by scripts/build-frontend after `npm ci`.
//
// In: the Utrecht component library, the voorbeeld theme's tokens and the theme's fonts
// (Fontsource, Latin subset, woff2 only). Out: one file with
//   - the theme's @font-face rules (font-display: swap, files copied next to the CSS),
//   - the Utrecht rules whose classes occur in VIB's templates or Python code,
//   - the theme's custom properties that those rules (or vib.css) actually read.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { PurgeCSS } from "purgecss";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const modules = join(here, "node_modules");
const out = join(root, "src/vib/web/static/vib");

// Every template and Python file of the project may name a class.
function files(dir, found = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "static" && name !== "locale" && name !== "__pycache__") files(path, found);
    } else if (name.endsWith(".html") || name.endsWith(".py")) {
      found.push(path);
    }
  }
  return found;
}
const content = files(join(root, "src/vib")).map((path) => ({
  raw: readFileSync(path, "utf-8"),
  extension: path.endsWith(".py") ? "py" : "html",
}));

// Custom properties vib.css reads must survive even if no Utrecht rule reads them.
const vibCss = readFileSync(join(out, "css/vib.css"), "utf-8");
const vibVariables = [...new Set([...vibCss.matchAll(/var\((--[a-z0-9-]+)/g)].map((m) => m[1]))];
const vibSets = [...vibCss.matchAll(/^\s*(--(?:utrecht|basis)-[a-z0-9-]+)\s*:/gm)].map((m) => m[1]);

const utrecht = readFileSync(join(modules, "@utrecht/component-library-css/dist/index.css"), "utf-8");
const theme = readFileSync(
  join(modules, "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css"),
  "utf-8",
);

const [purged] = await new PurgeCSS().purge({
  content,
  css: [{ raw: utrecht + "\n" + theme, name: "nlds.css" }],
  variables: true,
  keyframes: true,
  safelist: {
    // Class names that templates build from a value ("utrecht-alert--{{ level }}").
    standard: ["utrecht-root", "utrecht-checkbox", "utrecht-radio-button", "voorbeeld-theme"],
    greedy: [
      /^utrecht-alert--/,
      /^utrecht-status-badge--/,
      /^utrecht-form-field--/,
      /^utrecht-form-label--/,
      /^utrecht-form-field__label--/,
    ],
    variables: [...vibVariables, ...vibSets],
  },
});

// Fonts: the theme's Noto Sans (text, 400 and 700) and Noto Serif (headings, 700).
const fonts = [
  ["noto-sans", "Noto Sans", 400],
  ["noto-sans", "Noto Sans", 700],
  ["noto-serif", "Noto Serif", 700],
];
mkdirSync(join(out, "fonts"), { recursive: true });
const faces = fonts.map(([pkg, family, weight]) => {
  // The package's all-subsets file gives the Latin subset's unicode-range.
  const source = readFileSync(join(modules, `@fontsource/${pkg}/${weight}.css`), "utf-8");
  const block = source.split(`/* ${pkg}-latin-${weight}-normal */`)[1];
  const range = /unicode-range:\s*([^;]+);/.exec(block)[1];
  const file = `${pkg}-latin-${weight}-normal.woff2`;
  copyFileSync(join(modules, `@fontsource/${pkg}/files/${file}`), join(out, "fonts", file));
  return `@font-face {
  font-family: "${family}";
  font-style: normal;
  font-weight: ${weight};
  font-display: swap;
  src: url("../fonts/${file}") format("woff2");
  unicode-range: ${range};
}`;
});

// Fallback faces with the web fonts' metrics, so the text does not jump when the font arrives
// (font-display: swap). Measured with fontTools over a Dutch sample against Liberation Sans and
// Liberation Serif, the metric twins of Arial and Times New Roman: width ratio (size-adjust)
// and the web font's ascent and descent divided by it.
faces.push(`@font-face {
  font-family: "Noto Sans fallback";
  src: local("Arial"), local("ArialMT"), local("Liberation Sans"), local("LiberationSans"), local("Helvetica");
  size-adjust: 106.26%;
  ascent-override: 100.6%;
  descent-override: 27.57%;
  line-gap-override: 0%;
}
@font-face {
  font-family: "Noto Serif fallback";
  font-weight: 700;
  src: local("Times New Roman Bold"), local("TimesNewRomanPS-BoldMT"), local("Liberation Serif Bold"), local("LiberationSerif-Bold"), local("Times Bold");
  size-adjust: 118.27%;
  ascent-override: 90.38%;
  descent-override: 24.77%;
  line-gap-override: 0%;
}`);

const licence = [...utrecht.matchAll(/\/\*\*[\s\S]*?\*\//g)].slice(0, 1).map((m) => m[0]);
const header = `/* Built by scripts/build-frontend (frontend/build-css.mjs) from frontend/package-lock.json;
   do not edit by hand. Only the NL Design System rules and tokens VIB uses. */\n${licence.join("\n")}\n`;
// Comments out (the licence stays in the header), indentation and blank lines out; @charset
// may only come first, and the file is UTF-8 anyway.
const body = purged.css
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/@charset "UTF-8";/g, "")
  .replace(/\s*\n\s*/g, "\n")
  .replace(/\{\s+\}/g, "{}")
  .trim();
const css = `@charset "UTF-8";\n${header}${faces.join("\n")}\n${body}\n`;
writeFileSync(join(out, "css/nlds.css"), css);
// Compressed copies beside the built files (never beside hand-written ones such as vib.css):
// WhiteNoise serves them under `make run` too, where there is no collectstatic.
for (const file of ["css/nlds.css", "js/htmx.min.js"]) {
  const data = readFileSync(join(out, file));
  writeFileSync(join(out, `${file}.gz`), gzipSync(data, { level: 9 }));
  writeFileSync(
    join(out, `${file}.br`),
    brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
console.log(
  `build-css: nlds.css ${Math.round(css.length / 1024)} KB (from ${Math.round((utrecht.length + theme.length) / 1024)} KB)`,
);

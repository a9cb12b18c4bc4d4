// Runs one of Zotero's own translators on a file and prints what Zotero imports, as Zotero API JSON.
//
//   node read.js MODULES import LABEL FILE        an import translator (BibTeX, RIS) on a citation file
//   node read.js MODULES web LABEL FILE URL       a web translator (Embedded Metadata, COinS) on an HTML page
//   node read.js MODULES versions LABEL...        each translator's lastUpdated (Zotero's own version stamp)
//
// MODULES is the node_modules folder that tools/validators/install.sh fills for Zotero: the npm package
// zotero-translators bundles zotero/translation-server's translation framework (Zotero.Translate.Import,
// .Web, the item saver, the utilities) and every translator of Zotero's repository. Nothing here
// reimplements a translator: the translator is picked by its label and run by the framework, and the items
// are converted by Zotero.Utilities.itemToAPIJSON, as translation-server returns them.
// Zotero's debug log goes to stderr when ZOTERO_DEBUG is set; stdout carries only the JSON.
"use strict";

const fs = require("fs");
const path = require("path");

const [modules, mode, ...args] = process.argv.slice(2);
const debug = Boolean(process.env.ZOTERO_DEBUG);
// The framework logs with console.log; stdout must stay JSON.
console.log = (...parts) => {
  if (debug) process.stderr.write(parts.join(" ") + "\n");
};
require(path.join(modules, "zotero-translators"));
const Zotero = global.Zotero;
Zotero.Debug.init(debug);

async function pick(translate, label) {
  const candidates = await translate.getTranslators(true);
  const chosen = candidates.filter((t) => t.label === label);
  if (!chosen.length) {
    const names = candidates.map((t) => t.label).join(", ") || "none";
    throw new Error(`Zotero's ${label} translator does not detect this input (detected: ${names})`);
  }
  translate.setTranslator(chosen[0]);
}

function apiJSON(items) {
  // Zotero's API JSON, plus what Zotero itself says of it, so the test needs no copy of Zotero's schema:
  // `base` holds every field under its base field (a case's caseName is its title, a statute's
  // publicLawNumber its number, a case's reporterVolume its volume) and `dateISO` is Zotero's own
  // reading of the date string the translator stored ("July 15, 2019", "2019/07/15": 2019-07-15).
  return items
    .flatMap((item) => Zotero.Utilities.itemToAPIJSON(item))
    .filter((json) => json.itemType !== "note" && json.itemType !== "attachment")
    .map((json) => {
      const base = {};
      for (const [field, value] of Object.entries(json)) {
        if (!Zotero.ItemFields.getID(field)) continue; // itemType, creators, tags, key...: not fields
        const id = Zotero.ItemFields.getBaseIDFromTypeAndField(json.itemType, field);
        base[id ? Zotero.ItemFields.getName(id) : field] = value;
      }
      const iso = base.date ? Zotero.Date.strToISO(base.date) : false;
      return { ...json, base, dateISO: iso || null };
    });
}

async function importFile(label, file) {
  const translate = new Zotero.Translate.Import();
  translate.setString(fs.readFileSync(file, "utf8"));
  await pick(translate, label);
  return apiJSON(await translate.translate({ libraryID: 1 }));
}

// An XPath union of attributes (Embedded Metadata reads `meta/@content | meta/@contents`) is put in
// document order. jsdom 13, the bundle's, keeps Attr outside Node (as DOM4 did), with no
// compareDocumentPosition and no ownerDocument, and the registry release of wicked-good-xpath installed
// here (see tools/validators/install.sh) then fails on two attributes ("reading 'createRange'"), as on a
// page with two citation_author. The bundle itself asks for Zotero's fork of the library, which orders
// attributes by their owner elements ("Fix order for attribute nodes"), and in a browser Attr is a Node
// that has the method: so Attr gets it here, ordering by owner element, then within one element by its
// attribute list. Nothing else of the DOM or of Zotero's code is changed.
function orderAttributes(window) {
  const { Attr, Node } = window;
  if ("compareDocumentPosition" in Attr.prototype) return;
  Attr.prototype.compareDocumentPosition = function compareDocumentPosition(other) {
    if (other === this) return 0;
    const mine = this.ownerElement;
    const theirs = other instanceof Attr ? other.ownerElement : other;
    if (mine !== theirs) return mine.compareDocumentPosition(theirs);
    if (!(other instanceof Attr)) return Node.DOCUMENT_POSITION_PRECEDING | Node.DOCUMENT_POSITION_CONTAINS;
    const attributes = Array.from(mine.attributes);
    return attributes.indexOf(other) > attributes.indexOf(this)
      ? Node.DOCUMENT_POSITION_FOLLOWING
      : Node.DOCUMENT_POSITION_PRECEDING;
  };
}

async function webPage(label, file, url) {
  const { JSDOM } = require(path.join(modules, "jsdom"));
  const wgxpath = require(path.join(modules, "wicked-good-xpath"));
  // The page as a browser would hold it, at the address it is published under (Zotero's web translators
  // read document.location); scripts do not run, nothing is fetched.
  const dom = new JSDOM(fs.readFileSync(file, "utf8"), { url });
  wgxpath.install(dom.window, true); // document.evaluate, as translation-server installs it
  orderAttributes(dom.window);
  const translate = new Zotero.Translate.Web();
  translate.setDocument(dom.window.document);
  await pick(translate, label);
  return apiJSON(await translate.translate({ libraryID: false }));
}

async function versions(labels) {
  // Which translators ran: the bundle holds Zotero's repository as it was when the package was built.
  const all = (await Zotero.Translators.getAllForType("import", true)).concat(
    await Zotero.Translators.getAllForType("web", true),
  );
  const out = {};
  for (const label of labels) {
    const translator = all.find((t) => t.label === label);
    out[label] = translator ? translator.lastUpdated : null;
  }
  return out;
}

async function main() {
  let result;
  if (mode === "import") result = await importFile(args[0], args[1]);
  else if (mode === "web") result = await webPage(args[0], args[1], args[2]);
  else if (mode === "versions") result = await versions(args);
  else throw new Error(`unknown mode ${mode}; see the head of ${__filename}`);
  process.stdout.write(JSON.stringify(result, null, 1) + "\n");
}

main().catch((error) => {
  process.stderr.write(`zotero harness: ${(error && error.stack) || error}\n`);
  process.exit(1);
});

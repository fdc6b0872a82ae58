/* xml: a tiny XML writer for the Open311 answers. Open311 defines its JSON
 * as a mapping of its XML (the "Spark convention", GeoReport v2 "JSON
 * Support"), so an answer is built once as a JSON tree and written either
 * way: an object's members become child elements in their order, an
 * array's elements become children named by a table (services → service),
 * a string is escaped text, a number or a boolean its JSON spelling, null
 * an empty element.
 *
 * Text is written as XML 1.0 allows: & < > " ' are escaped, and the
 * characters XML 1.0 forbids (the C0 controls but tab, newline and carriage
 * return; U+FFFE and U+FFFF) are left out, so every answer parses. */
#ifndef GOV_GATEWAY_XML_H
#define GOV_GATEWAY_XML_H

#include <jansson.h>
#include <stddef.h>

/* What each element of an array named `list` is called. */
typedef struct {
    const char *list, *item;
} xml_item_t;

/* Writes `doc` under the element `root`, with the XML declaration, as
 * malloc'd NUL-terminated text (the caller frees) and its length in `*len`.
 * `items` (`nitems` rows) names the elements of every array in `doc`, by the
 * array's own name (`root` for a top-level array). Element names are the
 * program's own and are not checked. Returns NULL when out of memory, or
 * when an array has no row in `items` (a programmer's mistake). `doc` is
 * borrowed. */
char *xml_from_json(const char *root, const json_t *doc, const xml_item_t *items, size_t nitems,
                    size_t *len);

#endif

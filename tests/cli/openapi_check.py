#!/usr/bin/env python3
"""Checks the gateway's answers against docs/openapi.yaml (Debian's
python3-yaml and python3-jsonschema).

  openapi_check.py routes SPEC
      prints "METHOD PATH" for every operation of the document
  openapi_check.py lint SPEC
      every $ref resolves and every schema is a valid JSON Schema
  openapi_check.py check SPEC METHOD PATH STATUS FILE
      the body in FILE fits the schema SPEC declares for STATUS of the
      operation PATH (a concrete path: /api/v1/cases/12?x=1) and METHOD
  openapi_check.py request SPEC METHOD PATH FILE
      the request body in FILE fits the operation's requestBody schema
  openapi_check.py serve SPEC
      the same for every line "response METHOD PATH STATUS FILE" or
      "request METHOD PATH FILE" on standard input, answering each with a
      line: "ok", or what is wrong

An answer to a path or method the document does not have (the gateway's 404
and 405 NO_ROUTE) must fit the Error schema. OpenAPI 3.0's `nullable` is
read as JSON Schema's null type; everything else is JSON Schema as it is.
"""
import json
import re
import sys
import warnings

import jsonschema
import yaml

warnings.filterwarnings('ignore', category=DeprecationWarning)


def to_json_schema(s):
    """OpenAPI 3.0 schema object -> JSON Schema (draft 7)."""
    if isinstance(s, list):
        return [to_json_schema(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in ('properties', 'definitions'):
            out[k] = {name: to_json_schema(x) for name, x in v.items()}
        elif k in ('items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'):
            out[k] = to_json_schema(v)
        elif k != 'nullable':
            out[k] = v
    if s.get('nullable'):
        return {'anyOf': [out, {'type': 'null'}]}
    return out


class Spec:
    def __init__(self, path):
        self.doc = yaml.safe_load(open(path, encoding='utf-8'))
        schemas = self.doc.get('components', {}).get('schemas', {})
        self.root = {'components': {'schemas': {k: to_json_schema(v) for k, v in schemas.items()}}}
        self.resolver = jsonschema.RefResolver('', self.root)
        self.templates = []
        for template in self.doc['paths']:
            pattern = '^' + re.sub(r'\\\{[^}]*\\\}', '[0-9]+', re.escape(template)) + '$'
            self.templates.append((re.compile(pattern), template))

    def deref(self, obj):
        while isinstance(obj, dict) and '$ref' in obj:
            node = self.doc
            for part in obj['$ref'].lstrip('#/').split('/'):
                node = node[part]
            obj = node
        return obj

    def operations(self):
        for template, item in self.doc['paths'].items():
            for method in item:
                if method in ('get', 'post', 'put', 'patch', 'delete'):
                    yield method.upper(), template

    def operation(self, method, path):
        path = path.split('?', 1)[0]
        template = next((t for rx, t in self.templates if rx.match(path)), None)
        return template, self.doc['paths'][template].get(method.lower()) if template else None

    def schema_for(self, method, path, status):
        """The JSON Schema for the answer, or a string saying why there is none."""
        template, op = self.operation(method, path)
        if op is None:
            if status in ('404', '405'):
                return {'$ref': '#/components/schemas/Error'}
            return '%s %s is not in the document' % (method, path)
        response = op.get('responses', {}).get(status) or op.get('responses', {}).get('default')
        if response is None:
            return 'status %s is not declared for %s %s' % (status, method, template)
        content = self.deref(response).get('content', {}).get('application/json')
        if content is None:
            return 'no application/json content for %s of %s %s' % (status, method, template)
        return to_json_schema(content['schema'])

    def request_schema(self, method, path):
        template, op = self.operation(method, path)
        if op is None:
            return '%s %s is not in the document' % (method, path)
        content = op.get('requestBody', {}).get('content', {}).get('application/json')
        if content is None:
            return '%s %s takes no JSON body' % (method, template)
        return to_json_schema(content['schema'])

    def check_request(self, method, path, body_file):
        return self.validate(self.request_schema(method, path), body_file)

    def check(self, method, path, status, body_file):
        return self.validate(self.schema_for(method, path, status), body_file)

    def validate(self, schema, body_file):
        if isinstance(schema, str):
            return schema
        try:
            body = json.load(open(body_file, encoding='utf-8'))
        except ValueError as e:
            return 'the body is not JSON: %s' % e
        validator = jsonschema.Draft7Validator(schema, resolver=self.resolver)
        errors = list(validator.iter_errors(body))
        if not errors:
            return 'ok'
        # The deepest reason: a nullable message is anyOf(the message, null).
        e = jsonschema.exceptions.best_match(errors)
        while e.context:
            e = jsonschema.exceptions.best_match(e.context)
        where = '/'.join(str(p) for p in e.absolute_path) or '(the body)'
        more = ' (and %d more)' % (len(errors) - 1) if len(errors) > 1 else ''
        return '%s: %s%s' % (where, e.message[:200], more)

    def lint(self):
        problems = []

        def walk(node, where):
            if isinstance(node, dict):
                ref = node.get('$ref')
                if isinstance(ref, str):
                    try:
                        self.deref({'$ref': ref})
                    except (KeyError, TypeError):
                        problems.append('%s: $ref %s does not resolve' % (where, ref))
                for k, v in node.items():
                    walk(v, where + '/' + str(k))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, '%s[%d]' % (where, i))

        walk(self.doc, '#')
        for name, s in self.root['components']['schemas'].items():
            try:
                jsonschema.Draft7Validator.check_schema(s)
            except jsonschema.SchemaError as e:
                problems.append('schema %s: %s' % (name, e.message))
        for method, template in self.operations():
            op = self.doc['paths'][template][method.lower()]
            if not op.get('responses'):
                problems.append('%s %s: no responses' % (method, template))
        return problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, spec = sys.argv[1], Spec(sys.argv[2])
    if cmd == 'routes':
        for method, template in spec.operations():
            print(method, template)
    elif cmd == 'lint':
        problems = spec.lint()
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    elif cmd == 'check' and len(sys.argv) == 7:
        verdict = spec.check(*sys.argv[3:7])
        print(verdict)
        sys.exit(0 if verdict == 'ok' else 1)
    elif cmd == 'request' and len(sys.argv) == 6:
        verdict = spec.check_request(*sys.argv[3:6])
        print(verdict)
        sys.exit(0 if verdict == 'ok' else 1)
    elif cmd == 'serve':
        for line in sys.stdin:
            parts = line.split()
            if parts[:1] == ['response'] and len(parts) == 5:
                verdict = spec.check(*parts[1:])
            elif parts[:1] == ['request'] and len(parts) == 4:
                verdict = spec.check_request(*parts[1:])
            else:
                verdict = 'expected "response METHOD PATH STATUS FILE" or "request METHOD PATH FILE"'
            print(verdict, flush=True)
    else:
        sys.exit(__doc__)


main()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""rst-check.py FILE.rst DIRECTIVES

Parse FILE.rst with docutils, as Sphinx would but without it: the
kernel-doc directive and Sphinx's roles and directives are accepted as
stubs.  Prints docutils' messages of level INFO and above, one per line
without line numbers ("LEVEL: text"), so that two versions of a file can
be compared; writes to DIRECTIVES one line per kernel-doc directive,
"SOURCE IDENTIFIER..." (no identifiers: the whole file).
"""
import io
import re
import sys

from docutils import nodes, utils
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles

kerneldoc = []


class KernelDoc(Directive):
    required_arguments = 1
    option_spec = {'identifiers': directives.unchanged,
                   'no-identifiers': directives.unchanged,
                   'functions': directives.unchanged,
                   'export': directives.unchanged,
                   'internal': directives.unchanged,
                   'doc': directives.unchanged}

    def run(self):
        idents = (self.options.get('identifiers') or
                  self.options.get('functions') or '')
        kerneldoc.append((self.arguments[0], idents.split()))
        return []


class Stub(Directive):
    optional_arguments = 10
    final_argument_whitespace = True
    has_content = True
    option_spec = None

    def run(self):
        return []


def stub_role(name, rawtext, text, lineno, inliner, options=None,
              content=None):
    return [nodes.literal(rawtext, utils.unescape(text))], []


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: rst-check.py FILE.rst DIRECTIVES')
    directives.register_directive('kernel-doc', KernelDoc)
    for d in ('toctree', 'c:function', 'c:type', 'c:macro', 'c:struct',
              'flat-table', 'kernel-feat', 'kernel-abi', 'only'):
        directives.register_directive(d, Stub)
    for r in ('c:func', 'c:type', 'c:macro', 'c:member', 'c:struct',
              'ref', 'doc', 'manpage'):
        roles.register_local_role(r, stub_role)
    stream = io.StringIO()
    publish_doctree(open(sys.argv[1], encoding='utf-8').read(),
                    source_path=sys.argv[1],
                    settings_overrides={'report_level': 1, 'halt_level': 5,
                                        'warning_stream': stream})
    # "FILE:LINE: (LEVEL/N) text" and continuation lines: one per message.
    messages = re.split(r'^\S*?:\d+: ', stream.getvalue(), flags=re.M)
    for m in sorted({' '.join(m.split()) for m in messages if m.strip()}):
        print(m)
    with open(sys.argv[2], 'w', encoding='utf-8') as f:
        for source, idents in kerneldoc:
            f.write(' '.join([source] + idents) + '\n')


if __name__ == '__main__':
    main()

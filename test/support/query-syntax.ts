/** Syntax errors of PromQL and LogQL text, from the grammars Prometheus' and Grafana's editors use. */
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

type Parser = typeof promqlParser;

function syntaxErrors(parser: Parser, text: string): string[] {
  const errors: string[] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`at ${node.from}: …${text.slice(Math.max(0, node.from - 30), node.from + 30)}…`);
    },
  });
  return errors;
}

export const promqlErrors = (text: string): string[] => syntaxErrors(promqlParser, text);
export const logqlErrors = (text: string): string[] => syntaxErrors(logqlParser as Parser, text);

/**
 * One op descriptor list, and everything that names the ops agrees with it: the registry, the job schema's
 * params, the Lambda op entry and the stack's op functions, the OpenFaaS function names, handlers and stack.
 */
import { existsSync, readdirSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OP_DESCRIPTORS, OP_NAMES, opMemoryMb } from '../../../functions/core/ops/descriptors.ts';
import { OP_PARAMS } from '../../../functions/core/ops/opParams.ts';
import { OPERATIONS } from '../../../functions/core/ops/registry.ts';
import { opFromEnv } from '../../../functions/adapters/lambda/config.ts';
import { FUNCTION_NAMES } from '../../../functions/adapters/openfaas/diasConfig.ts';
import { HANDLERS } from '../../../functions/adapters/openfaas/handlers/handlers.ts';
import { handlePartition } from '../../../functions/adapters/openfaas/handlers/handlePartition.ts';
import { EofnStack } from '../../../infra/eofnStack.ts';
import { loadProviderConfig } from '../../../infra/providerConfig.ts';
import { EDITIONS } from '../../../openfaas/deploy/editions.ts';
import { loadProvider } from '../../../openfaas/deploy/providers.ts';
import { FUNCTION_PREFIX, renderStack } from '../../../openfaas/deploy/renderStack.ts';

const ENTRIES = 'functions/adapters/lambda/entries';

describe('the op descriptors', () => {
  it('name the four ops once, each in its own folder', () => {
    expect(OP_NAMES).toEqual(['tile-reduce', 'composite', 'coherence-merge', 'parcel-aggregate']);
    for (const op of OP_NAMES) expect(existsSync(`functions/core/ops/${op}/descriptor.ts`)).toBe(true);
    for (const d of OP_DESCRIPTORS) expect(d.memoryMb).toBeGreaterThanOrEqual(128);
  });

  it('agree with the registry and the job schema', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual([...OP_NAMES].sort());
    for (const op of OP_NAMES) expect(OPERATIONS[op].name).toBe(op);
    expect(Object.keys(OP_PARAMS)).toEqual([...OP_NAMES]);
  });

  it('agree with the Lambda side: one op entry that serves every op, one function per op in the stack', () => {
    // Prepare
    const config = loadProviderConfig('aws-us-west-2');
    const stack = new EofnStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'ops', { config, env: { region: config.region } });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    // Act
    const opFunctions = Object.values(functions).filter((f) => f.Properties.Environment?.Variables?.EOFN_OP);
    // Assess
    expect(readdirSync(ENTRIES).filter((f) => OP_NAMES.some((op) => f === `${op}.ts`))).toEqual([]);
    expect(existsSync(`${ENTRIES}/op.ts`)).toBe(true);
    for (const op of OP_NAMES) expect(opFromEnv({ EOFN_OP: op })).toBe(op);
    expect(() => opFromEnv({})).toThrow(/EOFN_OP must be one of tile-reduce, composite, coherence-merge, parcel-aggregate; got ""/);
    expect(Object.keys(stack.opFunctions)).toEqual([...OP_NAMES]);
    expect(opFunctions.map((f) => f.Properties.Environment.Variables.EOFN_OP)).toEqual([...OP_NAMES]);
    for (const f of opFunctions) {
      const op = f.Properties.Environment.Variables.EOFN_OP;
      expect(f.Properties.MemorySize).toBe(op === 'composite' ? 3538 : opMemoryMb(op)); // us-west-2 overrides composite
    }
  });

  it('agree with the OpenFaaS side: a function, the partition handler and a stack entry per op', async () => {
    // Act
    const stack = renderStack(await loadProvider('generic'), EDITIONS.ce);
    // Assess
    expect(FUNCTION_NAMES.filter((f) => (OP_NAMES as readonly string[]).includes(f))).toEqual([...OP_NAMES]);
    expect(Object.keys(HANDLERS).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const op of OP_NAMES) expect(HANDLERS[op]).toBe(handlePartition);
    for (const op of OP_NAMES) expect(stack.functions[`${FUNCTION_PREFIX}${op}`].limits.memory).toBe(`${opMemoryMb(op)}Mi`);
  });
});

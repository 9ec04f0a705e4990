// The fake Route 53: the plan's hosted zones (by id) and their record sets. Change batches are atomic (CREATE,
// UPSERT, DELETE with Route 53's own error messages), PENDING when submitted, INSYNC on GetChange
// (with timing: once its sync seconds have passed).
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  GetChangeCommand,
  type GetChangeCommandInput,
  GetHostedZoneCommand,
  type GetHostedZoneCommandInput,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { awsError } from '../fixtures.ts';
import type { Environment } from './environments.ts';
import { type FakeTiming, type Handler, isReady, readyAt } from './fake-handler.ts';

export interface Zone {
  /** Fully qualified, with the trailing dot. */
  name: string;
  records: ResourceRecordSet[];
}

export interface ChangeBatchRecord {
  changeId: string;
  comment?: string;
  changes: { action: string; name: string; type: string }[];
  /** INSYNC from this time on (ms since the epoch); absent: on the first GetChange. */
  insyncAt?: number;
}

export const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();
const bareZoneId = (id: string | undefined) => (id ?? '').replace(/^\/hostedzone\//, '');

/** Route 53 lists by name with the labels reversed (com.example.www), then type, then set identifier. */
function listKey(set: Partial<ResourceRecordSet>): string {
  const name = fqdn(set.Name ?? '')
    .slice(0, -1)
    .split('.')
    .reverse()
    .join('.');
  return [name, set.Type ?? '', set.SetIdentifier ?? ''].join('\u0000');
}

export class FakeRoute53 {
  readonly zones = new Map<string, Zone>();
  /** Every change batch accepted, in order. */
  readonly changeBatches: ChangeBatchRecord[] = [];

  constructor(
    env: Environment,
    private readonly timing: FakeTiming = {},
  ) {
    for (const zone of env.zones) {
      this.zones.set(bareZoneId(zone.id), {
        name: fqdn(zone.name),
        records: structuredClone([...zone.records]),
      });
    }
  }

  handlers(): Handler[] {
    return [
      [GetHostedZoneCommand, (input: GetHostedZoneCommandInput) => this.getZone(input)],
      [ListResourceRecordSetsCommand, (input: ListResourceRecordSetsCommandInput) => this.list(input)],
      [ChangeResourceRecordSetsCommand, (input: ChangeResourceRecordSetsCommandInput) => this.change(input)],
      [GetChangeCommand, (input: GetChangeCommandInput) => this.getChange(input)],
    ];
  }

  zone(id: string | undefined): Zone {
    const zone = this.zones.get(bareZoneId(id));
    if (!zone) throw awsError('NoSuchHostedZone', 404, `No hosted zone found with ID: ${id}`);
    return zone;
  }

  private getZone(input: GetHostedZoneCommandInput) {
    const zone = this.zone(input.Id);
    const id = `/hostedzone/${bareZoneId(input.Id)}`;
    return {
      HostedZone: { Id: id, Name: zone.name, CallerReference: 'fake', Config: { PrivateZone: false } },
    };
  }

  private list(input: ListResourceRecordSetsCommandInput) {
    const records = [...this.zone(input.HostedZoneId).records].sort((a, b) =>
      listKey(a) < listKey(b) ? -1 : 1,
    );
    const start = input.StartRecordName
      ? listKey({
          Name: input.StartRecordName,
          Type: input.StartRecordType,
          SetIdentifier: input.StartRecordIdentifier,
        })
      : '';
    const from = records.filter((set) => listKey(set) >= start);
    const max = input.MaxItems ?? 300;
    const next = from[max];
    return {
      ResourceRecordSets: from.slice(0, max),
      IsTruncated: next !== undefined,
      MaxItems: max,
      ...(next
        ? { NextRecordName: next.Name, NextRecordType: next.Type, NextRecordIdentifier: next.SetIdentifier }
        : {}),
    };
  }

  private change(input: ChangeResourceRecordSetsCommandInput) {
    const zone = this.zone(input.HostedZoneId);
    const records = structuredClone(zone.records);
    const changes = input.ChangeBatch?.Changes ?? [];
    for (const { Action, ResourceRecordSet: requested } of changes) {
      if (!requested) throw awsError('InvalidInput', 400, 'a change without a ResourceRecordSet');
      const set = structuredClone(requested);
      set.Name = fqdn(set.Name ?? '');
      if (set.AliasTarget) set.AliasTarget.DNSName = fqdn(set.AliasTarget.DNSName ?? '');
      const index = records.findIndex((r) => listKey(r) === listKey(set));
      const label = `[name='${set.Name}', type='${set.Type}']`;
      const invalid = (why: string) =>
        awsError(
          'InvalidChangeBatch',
          400,
          `Tried to ${Action?.toLowerCase()} resource record set ${label} but ${why}`,
        );
      if (Action === 'CREATE' && index >= 0) throw invalid('it already exists');
      if (Action === 'DELETE') {
        if (index < 0) throw invalid('it was not found');
        if (JSON.stringify(records[index]) !== JSON.stringify(set))
          throw invalid('the values provided do not match the current values');
        records.splice(index, 1);
      } else if (index >= 0) records[index] = set;
      else records.push(set);
    }
    zone.records = records;
    const changeId = `C${String(this.changeBatches.length + 1).padStart(8, '0')}`;
    const insyncAt = readyAt(this.timing, this.timing.syncSeconds);
    this.changeBatches.push({
      changeId,
      ...(insyncAt === undefined ? {} : { insyncAt }),
      ...(input.ChangeBatch?.Comment ? { comment: input.ChangeBatch.Comment } : {}),
      changes: changes.map((c) => ({
        action: c.Action ?? '',
        name: fqdn(c.ResourceRecordSet?.Name ?? ''),
        type: c.ResourceRecordSet?.Type ?? '',
      })),
    });
    return { ChangeInfo: { Id: `/change/${changeId}`, Status: 'PENDING', SubmittedAt: new Date() } };
  }

  private getChange(input: GetChangeCommandInput) {
    const id = (input.Id ?? '').replace(/^\/change\//, '');
    const batch = this.changeBatches.find((b) => b.changeId === id);
    if (!batch) {
      throw awsError('NoSuchChange', 404, `A change with the specified change ID does not exist: ${id}`);
    }
    const status = isReady(this.timing, batch.insyncAt) ? 'INSYNC' : 'PENDING';
    return { ChangeInfo: { Id: `/change/${id}`, Status: status, SubmittedAt: new Date() } };
  }
}

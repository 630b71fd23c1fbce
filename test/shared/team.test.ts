// The pure layer of a team's treasury (docs/team-treasury.md): roles, approvals, and the texts a
// member's device signs — each one line the Ledger shows in full, naming everything it decides.
import { describe, expect, it } from 'vitest';
import { approvalRefusal, approvalsRequired, asciiJson, beneficiaryText, decisionText, memberText, NO_TEAM_POLICY, roleAllows, ROLES, TeamPolicySchema, teamPolicyText, TeamTextError } from '../../src/shared/team';
import { confirmationText } from '../../src/shared/confirmation';
import { isDeviceDisplayable } from '../../src/shared/ledger-display';

const A = 'bc1qcompanyaccountaddressxxxxxxxxxxxxxxxx';
const M = '1MemberAddressXXXXXXXXXXXXXXXXXXXX';
const BO = '1BackOfficeAddressXXXXXXXXXXXXXXXX';
const ids = { account: A, requestId: 'req-0001', server: BO };

describe('roles', () => {
  it('each role may do what its row of the table says, nothing more', () => {
    const table = Object.fromEntries(ROLES.map((r) => [r, (['read', 'initiate', 'approve', 'manage'] as const).filter((a) => roleAllows(r, a))]));
    expect(table).toEqual({
      viewer: ['read'],
      initiator: ['read', 'initiate'],
      approver: ['read', 'initiate', 'approve'],
      administrator: ['read', 'initiate', 'approve', 'manage'],
    });
  });

  it('an approval counts only from an approver other than the initiator, once', () => {
    expect(approvalRefusal({ approver: 'B', role: 'approver', initiator: 'I', alreadyApproved: [] })).toBeNull();
    expect(approvalRefusal({ approver: 'I', role: 'administrator', initiator: 'I', alreadyApproved: [] })).toBe('OWN_APPROVAL');
    expect(approvalRefusal({ approver: 'B', role: 'initiator', initiator: 'I', alreadyApproved: [] })).toBe('ROLE_FORBIDS');
    expect(approvalRefusal({ approver: 'B', role: 'viewer', initiator: 'I', alreadyApproved: [] })).toBe('ROLE_FORBIDS');
    expect(approvalRefusal({ approver: 'B', role: 'approver', initiator: 'I', alreadyApproved: ['B'] })).toBe('ALREADY_DECIDED');
  });
});

describe('dual-control policy', () => {
  const policy = TeamPolicySchema.parse({ approvals: 2, above: { EUR: '10000.00' }, newBeneficiaryNeedsApproval: true, adminChangesNeedSecondAdmin: false });

  it('counts approvals above the threshold of the currency and for a new beneficiary', () => {
    expect(approvalsRequired(policy, { currency: 'EUR', amount: 1_000_000n, beneficiaryKnown: true })).toEqual({ count: 0, reasons: [] });
    expect(approvalsRequired(policy, { currency: 'EUR', amount: 1_000_001n, beneficiaryKnown: true })).toEqual({ count: 2, reasons: ['amount'] });
    expect(approvalsRequired(policy, { currency: 'USD', amount: 10n ** 12n, beneficiaryKnown: true })).toEqual({ count: 0, reasons: [] });
    expect(approvalsRequired(policy, { currency: 'EUR', amount: 1n, beneficiaryKnown: false })).toEqual({ count: 2, reasons: ['new-beneficiary'] });
    expect(approvalsRequired(NO_TEAM_POLICY, { currency: 'EUR', amount: 10n ** 12n, beneficiaryKnown: false }).count).toBe(0);
  });

  it('refuses thresholds that are not canonical decimals of their currency, and unknown fields', () => {
    for (const above of [{ EUR: '10000' }, { EUR: '1e4' }, { EUR: '-5.00' }, { JPY: '100.5' }, { XXX: '1.00' }]) {
      expect(TeamPolicySchema.safeParse({ ...NO_TEAM_POLICY, approvals: 1, above }).success, JSON.stringify(above)).toBe(false);
    }
    expect(TeamPolicySchema.safeParse({ ...NO_TEAM_POLICY, approvals: 6 }).success).toBe(false);
    expect(TeamPolicySchema.safeParse({ ...NO_TEAM_POLICY, extra: 1 }).success).toBe(false);
  });
});

describe('texts a member signs', () => {
  it('a team transfer names the account, so an approval cannot be replayed at another company', () => {
    const base = { amount: '25000.00', currency: 'EUR' as const, destination: 'DE89370400440532013000', reference: 'Invoice 7', requestId: 'req-0001', server: BO };
    expect(confirmationText({ ...base, account: A })).toBe(`CCC transfer 25000.00 EUR from ${A} to DE89370400440532013000 ref "Invoice 7" id req-0001 server ${BO}`);
    expect(confirmationText(base)).toBe(`CCC transfer 25000.00 EUR to DE89370400440532013000 ref "Invoice 7" id req-0001 server ${BO}`);
    expect(confirmationText({ ...base, account: A })).not.toBe(confirmationText({ ...base, account: `${A}2` }));
  });

  it('membership, policy, beneficiary and decision texts', () => {
    expect(memberText({ ...ids, member: M, role: 'approver' })).toBe(`CCC member ${M} role approver for ${A} id req-0001 server ${BO}`);
    expect(memberText({ ...ids, member: M, role: 'none' })).toBe(`CCC member ${M} role none for ${A} id req-0001 server ${BO}`);
    const policy = TeamPolicySchema.parse({ approvals: 2, above: { USD: '5000.00', EUR: '10000.00' }, newBeneficiaryNeedsApproval: true, adminChangesNeedSecondAdmin: true });
    expect(teamPolicyText({ ...ids, policy })).toBe(
      `CCC team policy approvals 2 above 10000.00 EUR 5000.00 USD new beneficiaries need approval admin changes need 2 admins for ${A} id req-0001 server ${BO}`,
    );
    expect(teamPolicyText({ ...ids, policy: NO_TEAM_POLICY })).toContain('approvals 0 above nothing new beneficiaries need none admin changes need 1 admin');
    expect(beneficiaryText({ ...ids, name: 'Acme "Best" GmbH', destination: 'DE89370400440532013000' })).toBe(`CCC beneficiary "Acme \\"Best\\" GmbH" DE89370400440532013000 for ${A} id req-0001 server ${BO}`);
    expect(beneficiaryText({ ...ids, destination: 'DE89370400440532013000', remove: true })).toBe(`CCC remove beneficiary DE89370400440532013000 for ${A} id req-0001 server ${BO}`);
    expect(decisionText({ decision: 'reject', account: A, requestId: 'req-0001', server: BO })).toBe(`CCC reject transfer req-0001 for ${A} server ${BO}`);
    expect(decisionText({ decision: 'cancel', account: A, requestId: 'req-0001', server: BO })).toBe(`CCC cancel transfer req-0001 for ${A} server ${BO}`);
    expect(decisionText({ decision: 'reject', subject: 'change', account: A, requestId: 'req-0001', server: BO })).toBe(`CCC reject change req-0001 for ${A} server ${BO}`);
  });

  it('a non-ASCII company name is shown escaped on the device, never refused or transliterated', () => {
    const text = beneficiaryText({ ...ids, name: 'Müller & Söhne 株式会社 🏦', destination: 'DE89370400440532013000' });
    expect(isDeviceDisplayable(text)).toBe(true);
    expect(text).toContain('"M\\u00fcller & S\\u00f6hne \\u682a\\u5f0f\\u4f1a\\u793e \\ud83c\\udfe6"');
    // The escape is a JSON string literal: it reads back as exactly the recorded name.
    expect(JSON.parse(asciiJson('Müller & Söhne 株式会社 🏦'))).toBe('Müller & Söhne 株式会社 🏦');
  });

  it('refuses a text the device would not show in full', () => {
    expect(() => beneficiaryText({ ...ids, name: 'x'.repeat(600), destination: 'DE89370400440532013000' })).toThrow(TeamTextError);
  });
});

// Custom search attributes that make applications findable in the Temporal UI. IDs and enums only:
// no personal data goes into search attributes: they are indexed and shown to every operator of the namespace.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const companyIdKey = defineSearchAttributeKey('AtsCompanyId', SearchAttributeType.KEYWORD);
export const jobIdKey = defineSearchAttributeKey('AtsJobId', SearchAttributeType.KEYWORD);
export const stageKey = defineSearchAttributeKey('AtsStage', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('AtsStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [companyIdKey, jobIdKey, stageKey, statusKey];

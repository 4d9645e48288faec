// What the other capabilities record per database — restore points, restore drills, posture — read from the report
// model's fields when they are there. A field that is absent is shown as "not recorded yet", never as good.
import type { Row } from './api';
import { el } from './dom';

export interface Section {
  key: string;
  title: string;
  /** The cell for a row; undefined when the row carries nothing for this section. */
  cell(row: Row): HTMLElement | undefined;
}

const notYet = () => el('span', { class: 'muted' }, 'not recorded yet');

export const sections: Section[] = [
  { key: 'restorePoints', title: 'Restore points', cell: () => undefined },
  { key: 'drill', title: 'Restore drills', cell: () => undefined },
  { key: 'posture', title: 'Posture', cell: () => undefined },
];

export const sectionCell = (s: Section, row: Row): HTMLElement => s.cell(row) ?? notYet();

import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import * as api from '../api/services';
import { scheduleFixture as schedule } from '../test/fixtures';
import { ScheduleForm, SchedulesPage } from './SchedulesPage';

vi.mock('../api/services', () => ({
  getFlow: vi.fn(),
  listFlowSchedules: vi.fn(),
  listVersions: vi.fn(),
  createSchedule: vi.fn(),
  updateSchedule: vi.fn(),
  deleteSchedule: vi.fn(),
  previewSchedule: vi.fn(),
  listFires: vi.fn(),
}));
vi.mock('./AppShell', () => ({ AppShell: ({ children }: { children: ReactNode }) => <>{children}</> }));

const mocked = vi.mocked(api);
const NEW_TIMES = ['2026-03-02T07:30:00+09:00', '2026-03-03T07:30:00+09:00'];

beforeEach(() => {
  vi.resetAllMocks();
  mocked.previewSchedule.mockImplementation(async (cron, timezone) => ({ cron, timezone, next_fire_times: NEW_TIMES }));
  mocked.listVersions.mockResolvedValue({ items: [], total: 0, limit: 500, offset: 0 });
});

function editForm(onSaved = vi.fn()) {
  render(<ScheduleForm flowId="f1" versions={[2, 1]} schedule={schedule} onSaved={onSaved} onCancel={vi.fn()} />);
  const form = within(screen.getByRole('form', { name: 'Edit schedule weekday report' }));
  return { form, onSaved, user: userEvent.setup() };
}

const value = (el: HTMLElement) => (el as HTMLInputElement).value;

describe('ScheduleForm, editing', () => {
  it('opens prefilled with everything the PATCH accepts', () => {
    const { form } = editForm();
    expect(value(form.getByLabelText('Name'))).toBe('weekday report');
    expect(value(form.getByLabelText('Cron'))).toBe('0 9 * * 1-5');
    expect(value(form.getByLabelText('Time zone'))).toBe('Asia/Seoul');
    expect(value(form.getByLabelText('Version'))).toBe('2');
    expect(JSON.parse(value(form.getByLabelText('Parameters')))).toEqual({ region: 'KR', limit: 5 });
    expect(value(form.getByLabelText('Missed fires'))).toBe('skip');
    expect((form.getByLabelText('Enabled') as HTMLInputElement).checked).toBe(true);
    expect(form.getByRole('button', { name: 'Save changes' })).toBeTruthy();
  });

  it('saves with a PATCH of only the changed fields', async () => {
    mocked.updateSchedule.mockResolvedValue({ ...schedule, cron: '30 7 * * *' });
    const { form, onSaved, user } = editForm();
    await user.clear(form.getByLabelText('Cron'));
    await user.type(form.getByLabelText('Cron'), '30 7 * * *');
    await user.selectOptions(form.getByLabelText('Version'), '');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateSchedule).toHaveBeenCalledWith('s1', { cron: '30 7 * * *', version: null });
    expect(onSaved).toHaveBeenCalled();
    expect(mocked.createSchedule).not.toHaveBeenCalled();
  });

  it("shows the server's errors under the fields they name", async () => {
    mocked.updateSchedule.mockRejectedValue(
      new ApiError(422, 'invalid_timezone', "timezone: 'Mars/Base' is not an IANA time zone name", { field: 'timezone', value: 'Mars/Base' }),
    );
    const { form, onSaved, user } = editForm();
    await user.clear(form.getByLabelText('Time zone'));
    await user.type(form.getByLabelText('Time zone'), 'Mars/Base');
    await waitFor(() => expect(mocked.previewSchedule).toHaveBeenLastCalledWith('0 9 * * 1-5', 'Mars/Base', 5, expect.anything()));
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    const tz = form.getByLabelText('Time zone');
    expect(tz.getAttribute('aria-invalid')).toBe('true');
    const error = document.getElementById(tz.getAttribute('aria-describedby')!)!;
    expect(error.textContent).toBe("timezone: 'Mars/Base' is not an IANA time zone name");
    expect(onSaved).not.toHaveBeenCalled();

    // A parameters text that is not JSON never leaves the browser; the field says why.
    await user.clear(form.getByLabelText('Parameters'));
    await user.type(form.getByLabelText('Parameters'), '{{region');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateSchedule).toHaveBeenCalledTimes(1);
    expect(form.getByLabelText('Parameters').getAttribute('aria-invalid')).toBe('true');
    expect(form.getAllByRole('alert').some((a) => a.textContent?.startsWith('params: '))).toBe(true);
  });

  it('names the cron when the server refuses it', async () => {
    mocked.updateSchedule.mockRejectedValue(
      new ApiError(422, 'invalid_cron', "cron: '99' is out of range for hour (0-23)", { field: 'cron', part: 'hour' }),
    );
    const { form, user } = editForm();
    await user.clear(form.getByLabelText('Cron'));
    await user.type(form.getByLabelText('Cron'), '0 99 * * *');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    const cron = form.getByLabelText('Cron');
    expect(document.getElementById(cron.getAttribute('aria-describedby')!)!.textContent).toBe("cron: '99' is out of range for hour (0-23)");
  });
});

describe('SchedulesPage', () => {
  it('edits a schedule in place; the next fire times come again from the server', async () => {
    const edited = { ...schedule, cron: '30 7 * * *', next_fire_times: NEW_TIMES };
    mocked.getFlow.mockResolvedValue({ id: 'f1', workspace_id: 'w1', name: 'orders' } as api.FlowRead);
    mocked.listFlowSchedules
      .mockResolvedValueOnce({ items: [schedule], total: 1, limit: 500, offset: 0 })
      .mockResolvedValue({ items: [edited], total: 1, limit: 500, offset: 0 });
    mocked.updateSchedule.mockResolvedValue(edited);
    const user = userEvent.setup();
    render(<SchedulesPage flowId="f1" />);
    const item = await screen.findByText('weekday report', { selector: 'strong' });
    const li = within(item.closest('li')!);
    const times = () => [...item.closest('li')!.querySelectorAll('.fire-times time')].map((t) => (t as HTMLTimeElement).dateTime);
    expect(times()).toEqual(schedule.next_fire_times);

    await user.click(li.getByRole('button', { name: 'Edit' }));
    const form = within(screen.getByRole('form', { name: 'Edit schedule weekday report' }));
    await user.clear(form.getByLabelText('Cron'));
    await user.type(form.getByLabelText('Cron'), '30 7 * * *');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    expect(mocked.updateSchedule).toHaveBeenCalledWith('s1', { cron: '30 7 * * *' });
    await waitFor(() => expect(screen.queryByRole('form', { name: /^Edit schedule/ })).toBeNull());
    await waitFor(() => expect(times()).toEqual(NEW_TIMES));
    expect(mocked.listFlowSchedules).toHaveBeenCalledTimes(2);
  });
});

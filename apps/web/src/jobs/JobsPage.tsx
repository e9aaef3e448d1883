// Background work of the workspace: exports and their schedules.
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';

export function JobsPage() {
  return (
    <div class="page">
      <PageHeader title="Jobs" description="Exports and scheduled work running in the background." />
      <EmptyState icon="jobs" title="No jobs yet" testId="jobs-empty">
        <p>
          Exports of conversations, metrics, tasks and the audit log will show here with their progress, and a download
          link when they finish. Scheduled exports will list their next run.
        </p>
      </EmptyState>
    </div>
  );
}

// Shared analysis sessions (conversations with the assistant) of a workspace.
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';

export function SessionsPage() {
  return (
    <div class="page">
      <PageHeader title="Sessions" description="Ask questions about your data with the assistant, together with your team." />
      <EmptyState icon="sessions" title="No sessions yet" testId="sessions-empty">
        <p>
          Shared analysis sessions arrive soon. Each one will be a live conversation with the assistant — sales, inventory
          and agent questions answered with charts — that everyone in the workspace can follow as it streams.
        </p>
      </EmptyState>
    </div>
  );
}

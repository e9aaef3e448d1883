// Providers and the route table.
import { Navigate, Route, Router, useParams } from '@solidjs/router';
import { QueryClientProvider } from '@tanstack/solid-query';
import { AppFrame } from './layout/AppFrame.tsx';
import { queryClient } from './queryClient.ts';
import { ConversationPage } from './pages/ConversationPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { AgentPage } from './pages/AgentPage.tsx';
import { AlertsPage } from './pages/AlertsPage.tsx';
import { CostsPage } from './pages/CostsPage.tsx';
import { IngestKeysPage } from './pages/IngestKeysPage.tsx';
import { HomeRedirect } from './pages/HomeRedirect.tsx';
import { JobsPage } from './pages/JobsPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { MembersPage } from './pages/MembersPage.tsx';
import { MetricsPage } from './pages/MetricsPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { SessionsPage } from './pages/SessionsPage.tsx';

function WorkspaceIndex() {
  const params = useParams();
  return <Navigate href={`/w/${params.workspaceId}/sessions`} />;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Router>
        <Route path="/login" component={LoginPage} />
        <Route path="/" component={AppFrame}>
          <Route path="/" component={HomeRedirect} />
          <Route path="/w/:workspaceId">
            <Route path="/" component={WorkspaceIndex} />
            <Route path="/sessions" component={SessionsPage} />
            <Route path="/sessions/:conversationId" component={ConversationPage} />
            <Route path="/metrics" component={MetricsPage} />
            <Route path="/metrics/agents/:agentId" component={AgentPage} />
            <Route path="/metrics/alerts" component={AlertsPage} />
            <Route path="/metrics/costs" component={CostsPage} />
            <Route path="/metrics/keys" component={IngestKeysPage} />
            <Route path="/jobs" component={JobsPage} />
            <Route path="/audit" component={AuditPage} />
            <Route path="/members" component={MembersPage} />
          </Route>
          <Route path="*404" component={NotFoundPage} />
        </Route>
      </Router>
    </QueryClientProvider>
  );
}

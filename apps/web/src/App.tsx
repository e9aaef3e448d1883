// Providers and the route table. Each folder is named for what users see and holds its pages
// and their parts; components/ has the shared parts, layout/ the frame around every page.
import { Navigate, Route, Router, useParams } from '@solidjs/router';
import { QueryClientProvider } from '@tanstack/solid-query';
import { AccessTokensPage } from './accessTokens/AccessTokensPage.tsx';
import { AccountPage } from './account/AccountPage.tsx';
import { LoginPage } from './account/LoginPage.tsx';
import { AlertsPage } from './alerts/AlertsPage.tsx';
import { AuditPage } from './audit/AuditPage.tsx';
import { ConversationPage } from './conversations/ConversationPage.tsx';
import { SessionsPage } from './conversations/SessionsPage.tsx';
import { CostsPage } from './costs/CostsPage.tsx';
import { IngestKeysPage } from './ingestKeys/IngestKeysPage.tsx';
import { InvitePage } from './invitations/InvitePage.tsx';
import { JobsPage } from './jobs/JobsPage.tsx';
import { AppFrame } from './layout/AppFrame.tsx';
import { HomeRedirect } from './layout/HomeRedirect.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';
import { MembersPage } from './members/MembersPage.tsx';
import { AgentPage } from './metrics/AgentPage.tsx';
import { MetricsPage } from './metrics/MetricsPage.tsx';
import { queryClient } from './queryClient.ts';
import { ReplayPage } from './replay/ReplayPage.tsx';
import { TasksPage } from './tasks/TasksPage.tsx';

function WorkspaceIndex() {
  const params = useParams();
  return <Navigate href={`/w/${params.workspaceId}/sessions`} />;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Router>
        <Route path="/login" component={LoginPage} />
        <Route path="/invite/:token" component={InvitePage} />
        <Route path="/" component={AppFrame}>
          <Route path="/" component={HomeRedirect} />
          <Route path="/account" component={AccountPage} />
          <Route path="/w/:workspaceId">
            <Route path="/" component={WorkspaceIndex} />
            <Route path="/sessions" component={SessionsPage} />
            <Route path="/sessions/:conversationId" component={ConversationPage} />
            <Route path="/sessions/:conversationId/replay" component={ReplayPage} />
            <Route path="/metrics" component={MetricsPage} />
            <Route path="/metrics/agents/:agentId" component={AgentPage} />
            <Route path="/metrics/alerts" component={AlertsPage} />
            <Route path="/metrics/costs" component={CostsPage} />
            <Route path="/metrics/keys" component={IngestKeysPage} />
            <Route path="/jobs" component={JobsPage} />
            <Route path="/audit" component={AuditPage} />
            <Route path="/members" component={MembersPage} />
            <Route path="/tasks" component={TasksPage} />
            <Route path="/tokens" component={AccessTokensPage} />
          </Route>
          <Route path="*404" component={NotFoundPage} />
        </Route>
      </Router>
    </QueryClientProvider>
  );
}

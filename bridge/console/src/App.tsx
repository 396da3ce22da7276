/**
 * The console shell: one Fluent theme, a header with the page tabs, and the page for the current hash. The session
 * decides what is reachable: a fresh install opens the setup wizard, a user outside the access policy sees why.
 * Each page is its own chunk (React.lazy), loaded when first opened, so the first page downloads only itself.
 */
import {
  Button,
  FluentProvider,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Tab,
  TabList,
  Text,
  Title3,
  tokens,
  webLightTheme,
} from "@fluentui/react-components";
import { lazy, type ReactNode, Suspense } from "react";
import { ADMIN_AUTH, type AdminResponse } from "../../src/api/admin.js";
import type { AdminClient } from "./api/client.js";
import { AdminClientProvider, useAdminQuery } from "./api/hooks.js";
import { QueryView } from "./components/QueryView.js";
import { type Page, pages, useHashPage } from "./routing.js";
import { CONSOLE_VERSION } from "./version.js";

type Session = AdminResponse<"session">;

const SetupWizard = lazy(() => import("./pages/SetupWizard.js").then((page) => ({ default: page.SetupWizard })));
const SettingsPage = lazy(() => import("./pages/SettingsPage.js").then((page) => ({ default: page.SettingsPage })));
const UsersPage = lazy(() => import("./pages/UsersPage.js").then((page) => ({ default: page.UsersPage })));
const DashboardPage = lazy(() => import("./pages/DashboardPage.js").then((page) => ({ default: page.DashboardPage })));
const MeetingsPage = lazy(() => import("./pages/MeetingsPage.js").then((page) => ({ default: page.MeetingsPage })));
const AccountPage = lazy(() => import("./pages/AccountPage.js").then((page) => ({ default: page.AccountPage })));

const pageTitle: Record<Page, string> = {
  setup: "Setup",
  settings: "Sync settings",
  users: "Users",
  dashboard: "Dashboard",
  meetings: "Meetings",
  account: "Account",
};

const useStyles = makeStyles({
  root: { minHeight: "100vh", backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalXXL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  nav: {
    padding: `0 ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  tabs: { flexWrap: "wrap" },
  main: {
    maxWidth: "1240px",
    margin: "0 auto",
    padding: tokens.spacingHorizontalL,
    "@media (max-width: 640px)": { padding: tokens.spacingHorizontalS },
  },
  footer: { textAlign: "center", padding: tokens.spacingVerticalL, color: tokens.colorNeutralForeground3 },
});

function PageBody({ page, navigate }: { page: Page; navigate: (page: Page) => void }): ReactNode {
  switch (page) {
    case "setup":
      return <SetupWizard onFinished={() => navigate("settings")} />;
    case "settings":
      return <SettingsPage />;
    case "users":
      return <UsersPage />;
    case "dashboard":
      return <DashboardPage />;
    case "meetings":
      return <MeetingsPage />;
    case "account":
      return <AccountPage />;
  }
}

function Console({ session }: { session: Session }) {
  const styles = useStyles();
  const [page, navigate] = useHashPage(session.installed ? "dashboard" : "setup");
  return (
    <>
      <nav aria-label="Console pages" className={styles.nav}>
        <TabList
          className={styles.tabs}
          selectedValue={page}
          onTabSelect={(_event, data) => navigate(data.value as Page)}
        >
          {pages.map((name) => (
            <Tab key={name} value={name}>
              {pageTitle[name]}
            </Tab>
          ))}
        </TabList>
      </nav>
      <main className={styles.main}>
        <Suspense fallback={<Spinner label={`Loading ${pageTitle[page]}…`} />}>
          <PageBody page={page} navigate={navigate} />
        </Suspense>
      </main>
    </>
  );
}

function NoAccess({ name }: { name: string }) {
  const styles = useStyles();
  return (
    <main className={styles.main}>
      <MessageBar layout="multiline" intent="warning">
        <MessageBarBody>
          <MessageBarTitle>No access</MessageBarTitle>
          {name}, your Zoho profile is not allowed to administer the bridge. Ask a Zoho CRM administrator.
        </MessageBarBody>
      </MessageBar>
    </main>
  );
}

function SignIn({ signInUrl }: { signInUrl: string }) {
  const styles = useStyles();
  return (
    <main className={styles.main}>
      <MessageBar layout="multiline" intent="info">
        <MessageBarBody>
          <MessageBarTitle>Sign in</MessageBarTitle>
          The bridge console uses your Zoho CRM account.
        </MessageBarBody>
        <MessageBarActions>
          <Button appearance="primary" as="a" href={signInUrl}>
            Sign in with Zoho CRM
          </Button>
        </MessageBarActions>
      </MessageBar>
    </main>
  );
}

function Shell({ signInUrl }: { signInUrl: string }) {
  const styles = useStyles();
  const session = useAdminQuery("session", {});
  const signedOut = session.state.status === "error" && session.state.error.code === "unauthenticated";
  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <Title3 as="h1" style={{ margin: 0 }}>
          Exchange ⇄ Zoho CRM Bridge
        </Title3>
      </header>
      {signedOut ? (
        <SignIn signInUrl={signInUrl} />
      ) : (
        <QueryView query={session} label="session" wrap={(content) => <main className={styles.main}>{content}</main>}>
          {(current) =>
            current.user === null ? (
              <SignIn signInUrl={signInUrl} />
            ) : current.canAdminister ? (
              <Console session={current} />
            ) : (
              <NoAccess name={current.user.name} />
            )
          }
        </QueryView>
      )}
      <footer className={styles.footer}>
        <Text size={200}>Bridge console {CONSOLE_VERSION}</Text>
      </footer>
    </div>
  );
}

/** `signInUrl`: where the browser starts the Zoho sign-in when there is no session. */
export function App({ client, signInUrl = ADMIN_AUTH.signInPath }: { client: AdminClient; signInUrl?: string }) {
  return (
    <FluentProvider theme={webLightTheme}>
      <AdminClientProvider client={client}>
        <Shell signInUrl={signInUrl} />
      </AdminClientProvider>
    </FluentProvider>
  );
}

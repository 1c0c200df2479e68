using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.Hangfire.Tests.PostgreSql;

public sealed class HangfirePostgreSqlConformanceTests(HangfirePostgreSqlFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<HangfirePostgreSqlFixture>(fixture, output);

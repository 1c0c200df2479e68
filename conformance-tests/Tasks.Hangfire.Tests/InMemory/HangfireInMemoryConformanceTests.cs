using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.Hangfire.Tests.InMemory;

public sealed class HangfireInMemoryConformanceTests(HangfireInMemoryFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<HangfireInMemoryFixture>(fixture, output);

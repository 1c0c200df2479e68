using Xunit.Abstractions;

namespace Tasks.Conformance.Tests.InMemory;

public sealed class InMemoryConformanceTests(InMemoryFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<InMemoryFixture>(fixture, output);

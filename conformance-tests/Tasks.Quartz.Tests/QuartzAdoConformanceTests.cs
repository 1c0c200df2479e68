using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.Quartz.Tests;

public sealed class QuartzAdoConformanceTests(QuartzAdoFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<QuartzAdoFixture>(fixture, output);

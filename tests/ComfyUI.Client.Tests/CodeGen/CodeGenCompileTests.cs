using System.Diagnostics;
using Microsoft.CodeAnalysis;

namespace ComfyUI.Client.Tests.CodeGen;

/// <summary>
/// The generated code as a user's compiler sees it: the whole real 0.33.0 /object_info compiles with no warning, and programs with a
/// wrong link, a misspelt input or a missing required input do not compile, with messages that say what is wrong.
/// </summary>
public sealed class CodeGenCompileTests(ITestOutputHelper output)
{
    private const string Selection = "EmptyImage,ImageInvert,SaveImage,KSampler,CheckpointLoaderSimple,CLIPTextEncode,EmptyLatentImage,VAEDecode,PrimitiveInt,PrimitiveFloat";

    private static readonly Lazy<string> SelectedNodes = new(() => CodeGenHarness.Generate(CodeGenHarness.RealObjectInfo, "MyApp.Comfy", Selection));

    private static string Program(string body) => $$"""
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using ComfyUI.Client;
        using MyApp.Comfy;

        namespace MyApp;

        /// <summary>A user's program.</summary>
        public static class UserProgram
        {
            /// <summary>Builds and runs.</summary>
            /// <param name="client">The client.</param>
            /// <returns>The files.</returns>
            public static async Task<IReadOnlyList<OutputFile>> RunAsync(ComfyUIClient client)
            {
                var g = new WorkflowBuilder();
                {{body}}
            }
        }
        """;

    [Fact]
    public void The_code_for_the_whole_real_object_info_compiles_with_no_warning()
    {
        var stopwatch = Stopwatch.StartNew();
        var code = CodeGenHarness.Generate(CodeGenHarness.RealObjectInfo, "MyApp.Comfy");
        var generated = stopwatch.Elapsed;
        var problems = CodeGenHarness.Problems(CodeGenHarness.Compile(code));
        output.WriteLine($"{code.Length / 1024} KB generated in {generated.TotalSeconds:0.0} s, compiled in {(stopwatch.Elapsed - generated).TotalSeconds:0.0} s");

        Assert.Empty(problems.Take(20).Select(p => p.ToString()));
        Assert.Contains("public sealed partial class KSampler ", code, StringComparison.Ordinal);
    }

    [Fact]
    public void The_issue_example_and_a_txt2img_graph_compile()
    {
        var program = Program("""
            var image = g.Add(new EmptyImage { Width = 64, Height = 64, BatchSize = 1, Color = 0xFF0000 });
            var inverted = g.Add(new ImageInvert { Image = image.Image });
            var save = g.Add(new SaveImage { Images = inverted.Image, FilenamePrefix = "typed" });

            var checkpoint = g.Add(new CheckpointLoaderSimple { CkptName = "v1-5-pruned-emaonly.safetensors" });
            var steps = g.Add(new PrimitiveInt { Value = 30 });
            var sampler = g.Add(new KSampler
            {
                Model = checkpoint.Model,
                Seed = 18446744073709551615UL,
                Steps = steps.Int,
                Cfg = 7.5,
                SamplerName = KSampler.SamplerNameChoice.Euler,
                Scheduler = "karras",
                Positive = g.Add(new CLIPTextEncode { Text = "a red fox", Clip = checkpoint.Clip }).Conditioning,
                Negative = g.Add(new CLIPTextEncode { Text = "blurry", Clip = checkpoint.Clip }).Conditioning,
                LatentImage = g.Add(new EmptyLatentImage { Width = 512, Height = 512 }).Latent,
            });
            g.Add("MyCustomUpscale", out var upscale, n => n.SetLink("image", g.Add(new VAEDecode { Samples = sampler.Latent, Vae = checkpoint.Vae }).Image));
            var final = g.Add(new SaveImage { Images = upscale.Output<Image>(0) });
            PromptResult result = await client.RunAsync(g.Build());
            IReadOnlyList<OutputFile> files = result.ImagesOf(save);
            return [.. files, .. result.ImagesOf(final)];
            """);

        var problems = CodeGenHarness.Problems(CodeGenHarness.Compile(SelectedNodes.Value, program));

        Assert.Empty(problems.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("var latent = g.Add(new EmptyLatentImage()); g.Add(new ImageInvert { Image = latent.Latent });", "CS0029",
        "Cannot implicitly convert type 'ComfyUI.Client.Output<MyApp.Comfy.Latent>' to 'ComfyUI.Client.Output<MyApp.Comfy.Image>'")]
    [InlineData("g.Add(new EmptyImage { Widht = 64 });", "CS0117", "'EmptyImage' does not contain a definition for 'Widht'")]
    [InlineData("g.Add(new ImageInvert());", "CS9035", "Required member 'ImageInvert.Image' must be set in the object initializer or attribute constructor.")]
    [InlineData("var f = g.Add(new PrimitiveFloat { Value = 1.5 }); g.Add(new EmptyImage { Width = f.Float });", "CS0029",
        "Cannot implicitly convert type 'ComfyUI.Client.Output<double>' to 'ComfyUI.Client.Input<long>'")]
    [InlineData("g.Add(new EmptyImage { Width = \"64\" });", "CS0029", "Cannot implicitly convert type 'string' to 'ComfyUI.Client.Input<long>'")]
    [InlineData("var i = g.Add(new EmptyImage()); g.Add(new KSampler { Model = i.Image, SamplerName = \"euler\", Scheduler = \"normal\", Positive = null!, Negative = null!, LatentImage = null! });",
        "CS0029", "Cannot implicitly convert type 'ComfyUI.Client.Output<MyApp.Comfy.Image>' to 'ComfyUI.Client.Output<MyApp.Comfy.Model>'")]
    public void A_wrong_program_does_not_compile_and_the_message_says_why(string body, string id, string message)
    {
        var problems = CodeGenHarness.Problems(CodeGenHarness.Compile(SelectedNodes.Value, Program(body + "\nreturn [];")));

        var error = Assert.Single(problems, p => p.Severity == DiagnosticSeverity.Error);
        Assert.Equal(id, error.Id);
        Assert.Equal(message, error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}

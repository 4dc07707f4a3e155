using System.Text.Json.Nodes;

namespace ComfyUI.Client.LiveTests.Validation;

/// <summary>
/// Hand-made prompts: model-free pipelines that are valid on the test server (each its own way: several outputs, V3 autogrow and
/// dynamic combo inputs, match types, loaders), and the usual model workflows, invalid there only because it has no models.
/// </summary>
internal static class BasePrompts
{
    public static IReadOnlyList<(string Name, JsonObject Prompt)> All { get; } =
    [
        ("image_pipeline", Parse("""
            {"1": {"inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 16711680}, "class_type": "EmptyImage", "_meta": {"title": "Empty"}},
             "2": {"inputs": {"image": ["1", 0]}, "class_type": "ImageInvert"},
             "3": {"inputs": {"image": ["2", 0], "blur_radius": 3, "sigma": 1.0}, "class_type": "ImageBlur"},
             "4": {"inputs": {"images": ["3", 0], "filename_prefix": "sdk_test/validate"}, "class_type": "SaveImage"},
             "5": {"inputs": {"images": ["2", 0]}, "class_type": "PreviewImage"}}
            """)),
        ("loaders", Parse("""
            {"10": {"inputs": {"image": "example.png"}, "class_type": "LoadImage"},
             "11": {"inputs": {"image": "example.png", "channel": "alpha"}, "class_type": "LoadImageMask"},
             "12": {"inputs": {"mask": ["11", 0]}, "class_type": "MaskToImage"},
             "13": {"inputs": {"image1": ["10", 0], "image2": ["12", 0], "direction": "right", "match_image_size": true, "spacing_width": 0, "spacing_color": "white"}, "class_type": "ImageStitch"},
             "14": {"inputs": {"images": ["13", 0]}, "class_type": "PreviewImage"},
             "15": {"inputs": {"image": ["10", 0], "channel": "red"}, "class_type": "ImageToMask"},
             "16": {"inputs": {"source": ["15", 0]}, "class_type": "PreviewAny"}}
            """)),
        ("sdk_test_nodes", Parse("""
            {"1": {"inputs": {"steps": 2, "delay_seconds": 0.0, "width": 64, "height": 64, "preview_format": "none", "send_progress_text": false, "seed": 1}, "class_type": "SdkTestProgressImage"},
             "2": {"inputs": {"image": ["1", 0]}, "class_type": "SdkTestImageSize"},
             "3": {"inputs": {"text": "size", "seed": 2, "number": ["2", 0]}, "class_type": "SdkTestTextOutput"},
             "4": {"inputs": {"message": "boom", "exception_type": "ValueError", "seed": 3, "image": ["1", 0]}, "class_type": "SdkTestRaiseError"}}
            """)),
        ("v3_dynamic_inputs", Parse("""
            {"1": {"inputs": {"width": 32, "height": 32, "batch_size": 1, "color": 0}, "class_type": "EmptyImage"},
             "2": {"inputs": {"images.image0": ["1", 0], "images.image1": ["1", 0]}, "class_type": "BatchImagesNode"},
             "3": {"inputs": {"input": ["2", 0], "resize_type": "scale by multiplier", "resize_type.multiplier": 2.0, "scale_method": "nearest-exact"}, "class_type": "ResizeImageMaskNode"},
             "4": {"inputs": {"switch": true, "on_false": ["1", 0], "on_true": ["3", 0]}, "class_type": "ComfySwitchNode"},
             "5": {"inputs": {"images": ["4", 0]}, "class_type": "PreviewImage"},
             "6": {"inputs": {"value": 3.5}, "class_type": "ComfyNumberConvert"},
             "7": {"inputs": {"source": ["6", 1]}, "class_type": "PreviewAny"}}
            """)),
        ("primitives", Parse("""
            {"1": {"inputs": {"value": "a"}, "class_type": "PrimitiveString"},
             "2": {"inputs": {"string_a": ["1", 0], "string_b": "b", "delimiter": "-"}, "class_type": "StringConcatenate"},
             "3": {"inputs": {"source": ["2", 0]}, "class_type": "PreviewAny"},
             "4": {"inputs": {"value": 18446744073709551615}, "class_type": "PrimitiveInt"},
             "5": {"inputs": {"source": ["4", 0]}, "class_type": "PreviewAny"},
             "6": {"inputs": {"value": 0.5}, "class_type": "PrimitiveFloat"},
             "7": {"inputs": {"value": true}, "class_type": "PrimitiveBoolean"},
             "8": {"inputs": {"source": ["7", 0]}, "class_type": "PreviewAny"}}
            """)),
        ("txt2img", Parse("""
            {"3": {"inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}, "class_type": "KSampler", "_meta": {"title": "KSampler"}},
             "4": {"inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}, "class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"}},
             "5": {"inputs": {"width": 512, "height": 512, "batch_size": 1}, "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}},
             "6": {"inputs": {"text": "beautiful scenery nature glass bottle landscape, , purple galaxy bottle,", "clip": ["4", 1]}, "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
             "7": {"inputs": {"text": "text, watermark", "clip": ["4", 1]}, "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
             "8": {"inputs": {"samples": ["3", 0], "vae": ["4", 2]}, "class_type": "VAEDecode", "_meta": {"title": "VAE Decode"}},
             "9": {"inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}, "class_type": "SaveImage", "_meta": {"title": "Save Image"}}}
            """)),
        ("img2img_lora_upscale", Parse("""
            {"1": {"inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}, "class_type": "CheckpointLoaderSimple"},
             "2": {"inputs": {"lora_name": "detail.safetensors", "strength_model": 0.8, "strength_clip": 1.0, "model": ["1", 0], "clip": ["1", 1]}, "class_type": "LoraLoader"},
             "3": {"inputs": {"image": "example.png"}, "class_type": "LoadImage"},
             "4": {"inputs": {"pixels": ["3", 0], "vae": ["1", 2]}, "class_type": "VAEEncode"},
             "5": {"inputs": {"text": "a cat", "clip": ["2", 1]}, "class_type": "CLIPTextEncode"},
             "6": {"inputs": {"text": "", "clip": ["2", 1]}, "class_type": "CLIPTextEncode"},
             "7": {"inputs": {"seed": 18446744073709551615, "steps": 30, "cfg": 6.5, "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 0.6, "model": ["2", 0], "positive": ["5", 0], "negative": ["6", 0], "latent_image": ["4", 0]}, "class_type": "KSampler"},
             "8": {"inputs": {"samples": ["7", 0], "vae": ["1", 2]}, "class_type": "VAEDecode"},
             "9": {"inputs": {"model_name": "4x-UltraSharp.pth"}, "class_type": "UpscaleModelLoader"},
             "10": {"inputs": {"upscale_model": ["9", 0], "image": ["8", 0]}, "class_type": "ImageUpscaleWithModel"},
             "11": {"inputs": {"filename_prefix": "up", "images": ["10", 0]}, "class_type": "SaveImage"},
             "12": {"inputs": {"images": ["8", 0]}, "class_type": "PreviewImage"}}
            """)),
        ("controlnet_inpaint", Parse("""
            {"1": {"inputs": {"ckpt_name": "512-inpainting-ema.safetensors"}, "class_type": "CheckpointLoaderSimple"},
             "2": {"inputs": {"image": "clipspace/clipspace-mask-123.png [input]"}, "class_type": "LoadImage"},
             "3": {"inputs": {"grow_mask_by": 6, "pixels": ["2", 0], "vae": ["1", 2], "mask": ["2", 1]}, "class_type": "VAEEncodeForInpaint"},
             "4": {"inputs": {"control_net_name": "control_v11p_sd15_canny.pth"}, "class_type": "ControlNetLoader"},
             "5": {"inputs": {"text": "a dog", "clip": ["1", 1]}, "class_type": "CLIPTextEncode"},
             "6": {"inputs": {"strength": 1.0, "conditioning": ["5", 0], "control_net": ["4", 0], "image": ["2", 0]}, "class_type": "ControlNetApply"},
             "7": {"inputs": {"seed": 5, "steps": 20, "cfg": 8.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0, "model": ["1", 0], "positive": ["6", 0], "negative": ["5", 0], "latent_image": ["3", 0]}, "class_type": "KSampler"},
             "8": {"inputs": {"samples": ["7", 0], "vae": ["1", 2]}, "class_type": "VAEDecode"},
             "9": {"inputs": {"filename_prefix": "inpaint", "images": ["8", 0]}, "class_type": "SaveImage"}}
            """)),
        ("flux_advanced_sampler", Parse("""
            {"1": {"inputs": {"unet_name": "flux1-dev.safetensors", "weight_dtype": "default"}, "class_type": "UNETLoader"},
             "2": {"inputs": {"clip_name1": "t5xxl_fp16.safetensors", "clip_name2": "clip_l.safetensors", "type": "flux", "device": "default"}, "class_type": "DualCLIPLoader"},
             "3": {"inputs": {"vae_name": "ae.safetensors"}, "class_type": "VAELoader"},
             "4": {"inputs": {"text": "a fox", "clip": ["2", 0]}, "class_type": "CLIPTextEncode"},
             "5": {"inputs": {"guidance": 3.5, "conditioning": ["4", 0]}, "class_type": "FluxGuidance"},
             "6": {"inputs": {"model": ["1", 0], "conditioning": ["5", 0]}, "class_type": "BasicGuider"},
             "7": {"inputs": {"noise_seed": 42}, "class_type": "RandomNoise"},
             "8": {"inputs": {"sampler_name": "euler"}, "class_type": "KSamplerSelect"},
             "9": {"inputs": {"scheduler": "simple", "steps": 20, "denoise": 1.0, "model": ["1", 0]}, "class_type": "BasicScheduler"},
             "10": {"inputs": {"width": 1024, "height": 1024, "batch_size": 1}, "class_type": "EmptySD3LatentImage"},
             "11": {"inputs": {"noise": ["7", 0], "guider": ["6", 0], "sampler": ["8", 0], "sigmas": ["9", 0], "latent_image": ["10", 0]}, "class_type": "SamplerCustomAdvanced"},
             "12": {"inputs": {"samples": ["11", 0], "vae": ["3", 0]}, "class_type": "VAEDecode"},
             "13": {"inputs": {"filename_prefix": "flux", "images": ["12", 0]}, "class_type": "SaveImage"}}
            """)),
    ];

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}

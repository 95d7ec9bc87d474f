"""Tasks on the paper's real datasets (Flickr30K, COCO, SNLI-VE, NLVR2) and on ChEBI-20, read in their standard
layouts from the user's disk (``--data-dir``) and fine-tuning pretrained backbones loaded with transformers
``from_pretrained`` from a local directory; nothing is downloaded. docs/real_data.md says how
to lay out each dataset and backbone."""
